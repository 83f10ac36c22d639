import { render } from 'preact';
import './console.css';

function App() {
  return <h1>Audit console</h1>;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
