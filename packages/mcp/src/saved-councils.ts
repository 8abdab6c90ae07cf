import { councilSlug, type AppRouter, type RouterOutputs } from '@llm-council/sdk';
import type { TRPCClient } from '@trpc/client';

type SavedCouncilView = RouterOutputs['councils']['list']['councils'][number];

/** A saved council a user may ask, with the slug its `council/<slug>` model goes by. */
export interface AskableCouncil extends SavedCouncilView {
  slug: string;
  /** One of the operator's councils (SERVER_COUNCILS), read-only. */
  isServer: boolean;
}

/**
 * The councils a user may ask by name: their own (in name order), then the operator's. Each gets
 * a slug from its name (`Senior SRE (brief)` → `senior-sre-brief`); a clash takes `-2`, `-3`, …
 * in that order, so the user's own council keeps its slug when the operator adds one named alike.
 */
export async function listAskableCouncils(client: Pick<TRPCClient<AppRouter>, 'councils'>): Promise<AskableCouncil[]> {
  const { councils, serverCouncils } = await client.councils.list.query();
  const taken = new Set<string>();
  const withSlug = (council: SavedCouncilView, isServer: boolean): AskableCouncil => {
    const base = councilSlug(council.name) || `council-${council.id.replace(/^server:/, '').slice(0, 8)}`;
    let slug = base;
    for (let n = 2; taken.has(slug); n += 1) slug = `${base}-${n}`;
    taken.add(slug);
    return { ...council, slug, isServer };
  };
  return [...councils.map((c) => withSlug(c, false)), ...serverCouncils.map((c) => withSlug(c, true))];
}

/**
 * The council a person means by `name`: its exact name, the name in any case, or its slug (also
 * as `council/<slug>`); the user's own before the operator's.
 */
export function findCouncil(councils: AskableCouncil[], name: string): AskableCouncil | undefined {
  const wanted = name.trim();
  const lower = wanted.toLowerCase();
  const slug = lower.replace(/^council\//, '');
  return (
    councils.find((c) => c.name === wanted) ??
    councils.find((c) => c.name.toLowerCase() === lower) ??
    councils.find((c) => c.slug === slug)
  );
}

/** "no saved council is named "x"; yours and the server's: "A", "B"" — for an error that helps. */
export function describeUnknownCouncil(councils: AskableCouncil[], name: string): string {
  const shown = JSON.stringify(name.slice(0, 100));
  if (councils.length === 0) return `no saved council is named ${shown}; there are no saved councils yet`;
  const names = councils.map((c) => JSON.stringify(c.name)).join(', ');
  return `no saved council is named ${shown}; the councils you can ask: ${names}`;
}
