#!/usr/bin/env bash
# The SDK and the CLI as a new user gets them (issue 20 §3): packs both (needs `pnpm build` first),
# installs the tarballs into a fresh npm project outside the workspace, checks what that install
# pulled (no TypeScript, no tRPC, every dependency's `engines` true for the Node version we claim),
# type-checks a consumer with `tsc --strict --skipLibCheck false` (TypeScript 5.x, module nodenext),
# runs it against a real server on the fake upstream, and runs the installed CLI. Fails loudly.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
started=$(date +%s)
work="$(mktemp -d /tmp/llm-council-packed.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-packed-sdk: FAILED: $*" >&2; [ -f "$work/server.log" ] && tail -n 30 "$work/server.log" >&2; exit 1; }
say() { echo "check-packed-sdk: $*"; }

# 1. Pack (pnpm rewrites workspace: and catalog: versions) and install into a fresh project.
(cd "$repo/packages/sdk" && pnpm pack --pack-destination "$work" >/dev/null)
(cd "$repo/packages/cli" && pnpm pack --pack-destination "$work" >/dev/null)
sdk_tgz=$(ls "$work"/llm-council-sdk-*.tgz) || fail "no SDK tarball"
cli_tgz=$(ls "$work"/llm-council-cli-*.tgz) || fail "no CLI tarball"
case "$(tar -tzf "$sdk_tgz")" in *package/dist/index.d.ts*) ;; *) fail "the SDK tarball has no dist/index.d.ts (run pnpm build first)" ;; esac
mkdir "$work/consumer"
cd "$work/consumer"
printf '{ "name": "packed-consumer", "version": "1.0.0", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund --loglevel=error "$sdk_tgz" "$cli_tgz" >/dev/null || fail "npm install of the tarballs"

# 2. What the install pulled.
[ ! -e node_modules/typescript ] || fail "installing the SDK and the CLI pulled TypeScript"
[ ! -e node_modules/@trpc ] || fail "installing the SDK pulled @trpc/* (its runtime is bundled; the types are optional peers)"
node --input-type=module - "$(npm root -g)/npm/node_modules/semver/index.js" <<'EOF' || fail "engines"
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
const semver = createRequire(import.meta.url)(process.argv[2]);
const claims = ['@llm-council/sdk', '@llm-council/cli'].map((name) => {
  const range = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')).engines?.node;
  if (!range) throw new Error(`${name} claims no engines.node`);
  return { name, floor: semver.minVersion(range).version };
});
const floor = claims.map((c) => c.floor).sort(semver.compare)[0];
const bad = [];
const visit = (dir) => {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (entry.startsWith('@')) { visit(path); continue; }
    const manifest = join(path, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version, engines } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (engines?.node && !semver.satisfies(floor, engines.node)) bad.push(`${name}@${version} needs node ${engines.node}`);
    if (existsSync(join(path, 'node_modules'))) visit(join(path, 'node_modules'));
  }
};
visit('node_modules');
if (bad.length) {
  console.error(`dependencies that do not run on Node ${floor} (claimed by ${claims.map((c) => c.name).join(', ')}):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-packed-sdk: every installed package runs on Node ${floor}, the floor the SDK and the CLI claim`);
EOF
case "$(./node_modules/.bin/llm-council --help)" in *whoami*) ;; *) fail "llm-council --help does not list whoami" ;; esac

# 3. Type-check a consumer the way a user would: strict, nodenext, the library checked too.
npm install --no-audit --no-fund --loglevel=error --save-dev typescript@5 @types/node@20 \
  "@trpc/client@$(node -p "require('./node_modules/@llm-council/sdk/package.json').peerDependencies['@trpc/client']")" \
  "@trpc/server@$(node -p "require('./node_modules/@llm-council/sdk/package.json').peerDependencies['@trpc/server']")" \
  >/dev/null || fail "npm install of typescript, @types/node and the tRPC peers"
cat >tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "types": ["node"],
    "strict": true,
    "skipLibCheck": false,
    "outDir": "out"
  },
  "files": ["consumer.ts"]
}
EOF
cat >consumer.ts <<'EOF'
import { createCouncilClient, getAppErrorCode, type CouncilAnswer, type RouterOutputs } from '@llm-council/sdk';
import { fileTokenStore } from '@llm-council/sdk/node';

const [url, email] = process.argv.slice(2) as [string, string];
const password = 'a long passphrase for the packed check';
const client = createCouncilClient({ url, tokenStore: fileTokenStore('./session.json') });
await client.auth.register.mutate({ email, password });
// Asking before a key is saved is refused with a code a program can branch on.
const refused = await client.askCouncil('Too early?').catch((error: unknown) => getAppErrorCode(error));
if (refused !== 'NO_API_KEY') throw new Error(`expected NO_API_KEY before a key is saved, got ${String(refused)}`);
await client.settings.saveApiKey.mutate({ apiKey: 'sk-or-v1-packed-consumer-check' });

const seen = new Set<string>();
const result: CouncilAnswer = await client.askCouncil('Is a hot dog a sandwich?', {
  onEvent: (event) => seen.add(event.type),
});
if (!result.answer.trim()) throw new Error('askCouncil returned no answer');
if (result.ranking.length < 2) throw new Error(`expected a ranking of the council, got ${JSON.stringify(result.ranking)}`);
if (!seen.has('run_completed')) throw new Error(`onEvent never saw run_completed: ${[...seen].join(', ')}`);
const conversation: RouterOutputs['conversations']['get'] = await client.conversations.get.query({
  id: result.conversationId,
});
if (conversation.messages.at(-1)?.content !== result.answer) throw new Error('the stored answer differs');
// Less council on request: answers only, no review and no synthesis; the answer says who wrote it.
const quick: CouncilAnswer = await client.askCouncil('And a taco?', {
  conversationId: result.conversationId,
  mode: 'answers',
});
if (quick.mode !== 'answers' || !quick.answer.trim() || quick.ranking.length > 0) {
  throw new Error(`expected an answers-only run, got ${JSON.stringify(quick)}`);
}
if (false as boolean) {
  // The router's types are real: a missing input field does not compile.
  // @ts-expect-error conversations.get needs an id
  await client.conversations.get.query({});
  // A saved council by id; the mode is one of three.
  await client.askCouncil('Typed?', { councilId: 'server:quick-answers', mode: 'ranked', webSearch: false });
  // @ts-expect-error mode is full, ranked or answers
  await client.askCouncil('Typed?', { mode: 'chairman-only' });
}
const { token } = await client.tokens.create.mutate({ name: 'packed check', scopes: ['read', 'council'], password });
console.log(JSON.stringify({ token, conversationId: result.conversationId, verdict: result.verdict?.kind ?? null }));
EOF
npx --no-install tsc -p . || fail "the consumer does not type-check against the packed SDK"
say "consumer type-checks (tsc $(npx --no-install tsc --version), strict, skipLibCheck false, module nodenext)"

# 4. A real server on the fake upstream (dev:offline), on free ports, with a throwaway database.
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
upstream_port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
url="http://127.0.0.1:$port"
(cd "$repo/apps/server" && PORT=$port FAKE_UPSTREAM_PORT=$upstream_port DATA_DIR="$work/data" LOG_LEVEL=warn \
  exec node --import tsx scripts/dev-offline.ts) >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fs "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
  sleep 0.5
done
curl -fs "$url/healthz" >/dev/null || fail "the server did not come up at $url"

email="packed-$(date +%s)@example.com"
out=$(node out/consumer.js "$url" "$email") || fail "the consumer failed against $url"
token=$(node -e 'console.log(JSON.parse(process.argv[1]).token)' "$out")
say "consumer asked the council through the packed SDK: $(node -e 'const o=JSON.parse(process.argv[1]); console.log(`conversation ${o.conversationId}, verdict ${o.verdict}`)' "$out")"

# 5. The installed CLI against the same server.
export XDG_CONFIG_HOME="$work/config"
who=$(LLM_COUNCIL_URL="$url" LLM_COUNCIL_TOKEN="$token" ./node_modules/.bin/llm-council whoami) || fail "llm-council whoami"
case "$who" in *"$email"*) ;; *) fail "llm-council whoami printed '$who', not $email" ;; esac
closed=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
set +e
LLM_COUNCIL_URL="http://127.0.0.1:$closed" LLM_COUNCIL_TOKEN="$token" ./node_modules/.bin/llm-council whoami 2>"$work/unreachable.txt"
code=$?
set -e
[ "$code" -ne 0 ] || fail "whoami against a closed port succeeded"
grep -q "cannot reach http://127.0.0.1:$closed: " "$work/unreachable.txt" || fail "unreachable server: $(cat "$work/unreachable.txt")"
say "installed CLI: --help, whoami ($who), unreachable server reported"
say "OK in $(($(date +%s) - started)) s"
