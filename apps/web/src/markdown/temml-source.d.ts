// Temml's ES entry (`temml/temml.js`, its sources) has the same API as the typed package entry.
declare module 'temml/temml.js' {
  import Temml from 'temml';
  export default Temml;
}
