import { loadMarkdownRenderer } from '../markdown/markdown-view';

/*
 * The markdown renderer binds DOMPurify to the page's `window` when its module evaluates. Views
 * load it lazily, so a file whose last test rendered an answer could finish — and have its jsdom
 * torn down — before that import evaluated, failing the run with "window is not defined" after
 * every test had passed. Loading it here, before any test, makes it part of the file's setup.
 */
await loadMarkdownRenderer();
