// Ports Chromium refuses to connect to (net/base/port_util.cc's restricted list, subset above 1024,
// since we only ever get ephemeral ports); a browser-mode server that lands on one re-picks.
export const CHROMIUM_UNSAFE_PORTS = new Set([
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);
