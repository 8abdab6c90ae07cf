import { For, createSignal } from 'solid-js';
import { applyThemeChoice, readThemeChoice, type ThemeChoice } from '../ui/theme-choice';

const CHOICES: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Settings → Appearance: light, dark, or the system's theme, remembered in this browser. */
export function AppearanceSection() {
  const [choice, setChoice] = createSignal(readThemeChoice());
  const choose = (value: ThemeChoice) => {
    setChoice(value);
    applyThemeChoice(value);
  };
  return (
    <section class="settings-section" aria-labelledby="appearance-heading">
      <h2 id="appearance-heading">Appearance</h2>
      <fieldset class="theme-switch">
        <legend>Theme</legend>
        <For each={CHOICES}>
          {(option) => (
            <label class="theme-option">
              <input
                type="radio"
                name="theme"
                value={option.value}
                checked={choice() === option.value}
                onChange={() => choose(option.value)}
              />
              {option.label}
            </label>
          )}
        </For>
      </fieldset>
      <p class="muted">System follows your device’s light or dark setting. The choice is kept in this browser.</p>
    </section>
  );
}
