// Global styles first, so feature styles (imported by components) come later in the cascade.
import './ui/theme.css';
import './ui/controls.css';
import './ui/layout.css';
import { render } from 'solid-js/web';
import { App } from './app';
import { createSession } from './auth/session';
import { createAppClient } from './client';

// The SDK reports an ended session through a callback given at creation; it only ever fires after
// a request, by which time `session` below exists.
const client = createAppClient({ onSessionExpired: () => session.expire() });
const session = createSession(client);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
render(() => <App client={client} session={session} />, root);
