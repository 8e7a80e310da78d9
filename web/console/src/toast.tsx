import { message } from 'antd';
import { createContext, type ReactNode, useContext } from 'react';

type MessageApi = ReturnType<typeof message.useMessage>[0];

const ToastContext = createContext<MessageApi | null>(null);

/**
 * Toast messages in the app's theme. Only antd's message (not App, which also brings modal and notification
 * code into the first bundle: docs/benchmarks.md#console-bundle).
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [api, holder] = message.useMessage();
  return (
    <ToastContext.Provider value={api}>
      {holder}
      {children}
    </ToastContext.Provider>
  );
}

export function useToast(): MessageApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToast outside ToastProvider');
  return api;
}
