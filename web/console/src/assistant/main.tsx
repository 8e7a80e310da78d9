import './assistant.css';
import { createRoot } from 'react-dom/client';
import { AssistantApp } from './AssistantApp';

const root = document.getElementById('root');
if (root) createRoot(root).render(<AssistantApp />);
