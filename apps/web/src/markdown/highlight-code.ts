import type { HLJSApi, LanguageFn } from 'highlight.js';

/*
 * Syntax highlighting with highlight.js, loaded on first use: the core when the first fenced code
 * block with a known language arrives, then one grammar per language met. Answers without code
 * never download any of it. The output is spans with `hljs-*` classes around escaped text; it
 * still goes through the sanitiser (render-markdown.ts) like everything else.
 */

type GrammarLoader = () => Promise<{ default: LanguageFn }>;

const GRAMMARS: Record<string, GrammarLoader> = {
  bash: () => import('highlight.js/lib/languages/bash'),
  c: () => import('highlight.js/lib/languages/c'),
  cpp: () => import('highlight.js/lib/languages/cpp'),
  csharp: () => import('highlight.js/lib/languages/csharp'),
  css: () => import('highlight.js/lib/languages/css'),
  diff: () => import('highlight.js/lib/languages/diff'),
  dockerfile: () => import('highlight.js/lib/languages/dockerfile'),
  go: () => import('highlight.js/lib/languages/go'),
  ini: () => import('highlight.js/lib/languages/ini'),
  java: () => import('highlight.js/lib/languages/java'),
  javascript: () => import('highlight.js/lib/languages/javascript'),
  json: () => import('highlight.js/lib/languages/json'),
  kotlin: () => import('highlight.js/lib/languages/kotlin'),
  markdown: () => import('highlight.js/lib/languages/markdown'),
  php: () => import('highlight.js/lib/languages/php'),
  python: () => import('highlight.js/lib/languages/python'),
  ruby: () => import('highlight.js/lib/languages/ruby'),
  rust: () => import('highlight.js/lib/languages/rust'),
  scss: () => import('highlight.js/lib/languages/scss'),
  sql: () => import('highlight.js/lib/languages/sql'),
  swift: () => import('highlight.js/lib/languages/swift'),
  typescript: () => import('highlight.js/lib/languages/typescript'),
  xml: () => import('highlight.js/lib/languages/xml'),
  yaml: () => import('highlight.js/lib/languages/yaml'),
};

// What models write after the fence, mapped to the grammar that reads it.
const ALIASES: Record<string, string> = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  python3: 'python',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  golang: 'go',
  rs: 'rust',
  h: 'c',
  'c++': 'cpp',
  cc: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  html: 'xml',
  svg: 'xml',
  yml: 'yaml',
  md: 'markdown',
  patch: 'diff',
  rb: 'ruby',
  kt: 'kotlin',
  docker: 'dockerfile',
  toml: 'ini',
  postgresql: 'sql',
  postgres: 'sql',
};

let hljs: HLJSApi | undefined;
let corePromise: Promise<HLJSApi> | undefined;
const grammarPromises = new Map<string, Promise<void>>();

/** The grammar name for a fence's info string (`ts`, `Python`, `c++ title="x"`), if we have one. */
export function grammarFor(info: string | undefined): string | undefined {
  const word = (info ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const name = ALIASES[word] ?? word;
  return Object.hasOwn(GRAMMARS, name) ? name : undefined;
}

/** Highlighted HTML for `code` if its grammar is loaded, else undefined (then call `loadGrammar`). */
export function highlightIfLoaded(code: string, grammar: string): string | undefined {
  if (!hljs?.getLanguage(grammar)) return undefined;
  return hljs.highlight(code, { language: grammar, ignoreIllegals: true }).value;
}

/** Loads the highlighter core and one grammar; resolves once `highlightIfLoaded` can use it. */
export function loadGrammar(grammar: string): Promise<void> {
  let pending = grammarPromises.get(grammar);
  if (!pending) {
    corePromise ??= import('highlight.js/lib/core').then((module) => (hljs = module.default));
    const loader = GRAMMARS[grammar];
    pending = Promise.all([corePromise, loader ? loader() : Promise.reject(new Error(`no grammar ${grammar}`))]).then(
      ([core, language]) => core.registerLanguage(grammar, language.default),
    );
    grammarPromises.set(grammar, pending);
  }
  return pending;
}
