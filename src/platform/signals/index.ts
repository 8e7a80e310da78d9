/**
 * Platform signals: publish/subscribe wake-ups across every node (in-process at once; PostgreSQL LISTEN/NOTIFY between
 * processes). What `?wait` sleeps on, what caches invalidate through, and what cross-node pushes will ride.
 */
export { LISTENER_APPLICATION_NAME } from './pg-listener.js';
export {
  createSignals,
  type FoldedSignal,
  type KeyedFoldedSignal,
  MAX_SIGNAL_BYTES,
  type PublishInTransaction,
  SIGNALS_CHANNEL,
  type Signal,
  type SignalListener,
  type Signals,
  type SignalsObserver,
} from './signals.js';
