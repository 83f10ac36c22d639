import { render } from 'preact';
import { App } from './App';
import './console.css';

const root = document.getElementById('app');
if (root) {
  root.replaceChildren(); // the static 'Loading…' text
  render(<App />, root);
}
