/** `system` follows the operating system's light or dark preference; the others override it. */
export type ThemeChoice = 'system' | 'light' | 'dark';

// Read again before the first paint by public/theme.js: keep the key and values in step.
const STORAGE_KEY = 'llm-council.theme';

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

/** Applies the choice at once (the stylesheet keys on `data-theme`) and remembers it in this browser. */
export function applyThemeChoice(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset['theme'];
  else root.dataset['theme'] = choice;
  try {
    if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Storage blocked: the choice holds until the page is reloaded.
  }
}
