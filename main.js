// Starts the page: loads the WebAssembly module and mounts the app. A file
// of its own (not an inline script) so the Content-Security-Policy can
// forbid inline scripts.
import init, { start } from './pkg/frontier_web.js';

init().then(() => start()).catch((err) => {
  document.body.textContent = 'Frontier could not start: ' + err;
});

// Keep a copy of the page for offline use (sw.js). Not where service
// workers are unavailable (a file:// page, a private window in some
// browsers): the page works the same without it.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch(() => {});
}
