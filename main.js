// Starts the page: loads the WebAssembly module and mounts the app. A file
// of its own (not an inline script) so the Content-Security-Policy can
// forbid inline scripts.
import init, { start } from './pkg/frontier_web.js';

init().then(() => start()).catch((err) => {
  document.body.textContent = 'Frontier could not start: ' + err;
});
