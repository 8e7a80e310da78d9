export function App() {
  return <div>OpenFapiao 控制台</div>;
}
