import { cleanup, configure } from '@solidjs/testing-library';
import { afterEach } from 'vitest';
import { loadMarkdownRenderer } from '../markdown/markdown-view';

/*
 * The markdown renderer binds DOMPurify to the page's `window` when its module evaluates. Views
 * load it lazily, so a file whose last test rendered an answer could finish — and have its jsdom
 * torn down — before that import evaluated, failing the run with "window is not defined" after
 * every test had passed. Loading it here, before any test, makes it part of the file's setup.
 */
await loadMarkdownRenderer();

// `findBy…`/`waitFor` wait up to 5 s rather than 1 s: the first lazy import of a route or of the
// maths renderer can take longer than a second on a loaded two-core machine. Waiting longer
// changes no verdict, only how long a failing test takes to say so.
configure({ asyncUtilTimeout: 5_000 });

/*
 * Test files share a worker's jsdom (`isolate: false`: one page per worker, not per file). The
 * testing library registers its cleanup only in the first file that imports it, so each file
 * registers it here, and leaves the page as a fresh one would be: empty, at `/`, nothing stored.
 */
afterEach(() => {
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
  document.title = '';
  window.history.replaceState(null, '', '/');
});
