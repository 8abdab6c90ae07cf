/* global document */
// Applies the theme chosen in Settings before the first paint, so a dark choice never flashes
// light. A classic script in <head>, outside the bundle: the bundle runs after the first paint,
// and the CSP allows no inline script. The key and values match src/ui/theme-choice.ts.
try {
  var theme = localStorage.getItem('llm-council.theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // Storage blocked (private mode, policy): the system's theme applies.
}
