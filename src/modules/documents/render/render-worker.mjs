// Bootstrap of the render worker thread: render-worker.ts, compiled or through tsx (bin/load-source.js).
import { loadSource } from '../../../../bin/load-source.js';

await loadSource(new URL('./render-worker.ts', import.meta.url));
