// The fit worker: loads the page's WebAssembly module and runs one fit per
// message, posting progress as it goes.
import init, { worker_fit } from './pkg/frontier_web.js';

const ready = init();

self.onmessage = async (event) => {
  try {
    await ready;
    const result = worker_fit(event.data, (done, total) => {
      self.postMessage({ type: 'progress', done, total });
    });
    self.postMessage({ type: 'done', result });
  } catch (err) {
    self.postMessage({ type: 'failed', message: String(err) });
  }
};
