// Preact with htm (tagged templates instead of JSX, so no build step), served from the installed package. Every
// page imports its view functions from here, so the library is named in one place.
export { html, render, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from '../vendor/preact-htm.js';
