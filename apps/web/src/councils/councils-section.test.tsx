import { fireEvent, screen, waitFor, within } from '@solidjs/testing-library';
import { expect, test } from 'vitest';
import { clientFor, fakeTrpcServer, type FakeHandler } from '../testing/fake-trpc-fetch';
import { renderWithClient } from '../testing/render';
import { CouncilsSection } from './councils-section';
import type { SavedCouncil } from './saved-councils';
import { modelCatalog as catalog } from '../testing/conversation-fixtures';

// Settings → Councils (issue 22 §1): create, edit and delete the user's councils; the server's are read-only.

const sre: SavedCouncil = {
  id: '0b0c7c1e-8d52-4a53-9d7e-0c6f2b1f4a10',
  name: 'Senior SRE',
  models: ['openai/gpt-5.1', 'x-ai/grok-4'],
  chairmanModel: 'google/gemini-3-pro-preview',
  mode: 'full',
  instructions: 'Answer as a senior SRE; be brief.',
  reasoningEffort: 'high',
  webSearch: true,
};
const quick: SavedCouncil = { ...sre, id: 'server:quick', name: 'Quick answers', mode: 'answers', instructions: '' };

function renderSection(handlers: Record<string, FakeHandler>) {
  let councils: SavedCouncil[] = [];
  const server = fakeTrpcServer({
    'council.models': () => ({ data: catalog }),
    'councils.list': () => ({ data: { councils, serverCouncils: [quick] } }),
    ...handlers,
  });
  renderWithClient(() => <CouncilsSection />, clientFor(server));
  return { server, setCouncils: (next: SavedCouncil[]) => (councils = next) };
}

const field = (form: HTMLElement, label: string) => within(form).getByLabelText<HTMLInputElement>(label);

test('a new council is created with every setting from the form, then listed', async () => {
  const { server, setCouncils } = renderSection({
    'councils.create': (input) => {
      const created = { ...(input as Omit<SavedCouncil, 'id'>), id: sre.id };
      setCouncils([created]);
      return { data: created };
    },
  });
  expect(await screen.findByText('No saved councils yet.')).toBeTruthy();
  // The server's council is shown read-only: no Edit, no Delete.
  const serverRow = await screen.findByRole('listitem', { name: 'Quick answers' });
  expect(within(serverRow).getByText('read-only')).toBeTruthy();
  expect(within(serverRow).queryByRole('button')).toBeNull();

  fireEvent.click(screen.getByRole('button', { name: 'New council' }));
  const form = await screen.findByRole('form', { name: 'New council' });
  await within(form).findByRole('list', { name: 'Council members' });
  fireEvent.input(field(form, 'Name'), { target: { value: '  Senior SRE ' } });
  fireEvent.input(field(form, 'Instructions'), { target: { value: sre.instructions } });
  fireEvent.change(field(form, 'Reasoning effort'), { target: { value: 'high' } });
  fireEvent.click(within(form).getByLabelText('Search the web when answering'));
  fireEvent.click(within(form).getByRole('button', { name: 'Create council' }));

  expect((await screen.findByRole('status')).textContent).toBe('“Senior SRE” created.');
  expect(server.calls.find((c) => c.path === 'councils.create')?.input).toEqual({
    name: 'Senior SRE',
    models: catalog.defaults.models,
    chairmanModel: catalog.defaults.chairmanModel,
    mode: 'full',
    instructions: sre.instructions,
    reasoningEffort: 'high',
    webSearch: true,
  });
  const row = await screen.findByRole('listitem', { name: 'Senior SRE' });
  expect(row.textContent).toContain('web search');
  expect(row.textContent).toContain('high reasoning');
  expect(row.textContent).toContain(sre.instructions);
});

test('the server’s refusal is shown by the field it names, and the form keeps what was typed', async () => {
  const { server } = renderSection({
    'councils.create': () => ({
      error: {
        code: 'BAD_REQUEST',
        message: 'name: you already have a council named Senior SRE',
        fieldErrors: { name: ['You already have a council named Senior SRE'] },
      },
    }),
  });
  fireEvent.click(await screen.findByRole('button', { name: 'New council' }));
  const form = await screen.findByRole('form', { name: 'New council' });
  await within(form).findByRole('list', { name: 'Council members' });
  fireEvent.input(field(form, 'Name'), { target: { value: 'Senior SRE' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Create council' }));
  expect(await within(form).findByText('You already have a council named Senior SRE')).toBeTruthy();
  expect(field(form, 'Name').value).toBe('Senior SRE');
  expect(server.calls.filter((c) => c.path === 'councils.create')).toHaveLength(1);

  // An empty name never reaches the server.
  fireEvent.input(field(form, 'Name'), { target: { value: '   ' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Create council' }));
  expect(await within(form).findByText('Give the council a name')).toBeTruthy();
  expect(server.calls.filter((c) => c.path === 'councils.create')).toHaveLength(1);
});

test('Edit saves the changed fields of the council; Delete asks first, then deletes it', async () => {
  const { server, setCouncils } = renderSection({
    'councils.update': (input) => {
      const updated = { ...sre, ...(input as Partial<SavedCouncil>) };
      setCouncils([updated]);
      return { data: updated };
    },
    'councils.delete': () => {
      setCouncils([]);
      return { data: { deleted: true } };
    },
  });
  setCouncils([sre]);
  const row = await screen.findByRole('listitem', { name: 'Senior SRE' });
  fireEvent.click(within(row).getByRole('button', { name: 'Edit' }));
  const form = await screen.findByRole('form', { name: 'Edit Senior SRE' });
  expect(field(form, 'Name').value).toBe('Senior SRE');
  fireEvent.change(field(form, 'Mode'), { target: { value: 'ranked' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
  expect((await screen.findByRole('status')).textContent).toBe('“Senior SRE” saved.');
  expect(server.calls.find((c) => c.path === 'councils.update')?.input).toMatchObject({ id: sre.id, mode: 'ranked' });

  const row2 = () => screen.getByRole('listitem', { name: 'Senior SRE' });
  await waitFor(() => expect(row2().textContent).toContain('answers + ranking'));
  const edited = row2();
  fireEvent.click(within(edited).getByRole('button', { name: 'Delete' }));
  const confirm = screen.getByRole('group', { name: 'Confirm deleting Senior SRE' });
  expect(server.calls.some((c) => c.path === 'councils.delete')).toBe(false);
  fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
  await screen.findByText('No saved councils yet.');
  expect(server.calls.find((c) => c.path === 'councils.delete')?.input).toEqual({ id: sre.id });
});
