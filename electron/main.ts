// Electron entry: a locked-down window, the contract on ipcMain, events to the window.
// Thin glue only; every service lives in electron/services and runs under plain Node too.
import { app, BrowserWindow, ipcMain, protocol, safeStorage, session, net } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServices } from './services/app';
import type { SecretCipher } from './services/secrets';
import { contentSecurityPolicy } from './host/browser-host';

const SCHEME = 'portico';
const ORIGIN = `${SCHEME}://app`;
const rendererDir = join(__dirname, '..', 'renderer');

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function safeStorageCipher(): SecretCipher {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  const weak = backend === 'basic_text' || !safeStorage.isEncryptionAvailable();
  return {
    backend: weak
      ? { kind: 'basic_text', protected: false, note: 'WARNING: no system keyring was found (basic_text): secrets are stored with a built-in key and are NOT protected. Install and unlock GNOME Keyring or KWallet.' }
      : { kind: `safeStorage (${backend})`, protected: true, note: `Secrets are encrypted by the system keyring (${backend}).` },
    encrypt: (plain) => safeStorage.encryptString(plain.toString('utf8')).toString('base64'),
    decrypt: (blob) => Buffer.from(safeStorage.decryptString(Buffer.from(blob, 'base64')), 'utf8'),
  };
}

async function start() {
  await app.whenReady();
  const services = createServices({ dataDir: process.env.PORTICO_DATA_DIR ?? join(app.getPath('userData'), 'data'), mode: 'electron', cipher: safeStorageCipher });

  // Serve the renderer from a custom scheme so the CSP travels as a real header.
  protocol.handle(SCHEME, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    let file = normalize(join(rendererDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(rendererDir + sep)) return new Response('Forbidden', { status: 403 });
    let res = await net.fetch(pathToFileURL(file).toString()).catch(() => null);
    if (!res || !res.ok) {
      file = join(rendererDir, 'index.html');
      res = await net.fetch(pathToFileURL(file).toString());
    }
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy(ORIGIN));
    return new Response(res.body, { status: 200, headers });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));

  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Portico',
    show: false,
    webPreferences: { preload: join(__dirname, 'preload.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (e, url) => {
    if (new URL(url).origin !== ORIGIN) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));

  ipcMain.handle('portico:invoke', (event, name: unknown, input: unknown) => {
    // Only our own window, showing our own origin, may call main.
    const frameUrl = event.senderFrame?.url ?? '';
    if (event.sender.id !== win.webContents.id || !frameUrl.startsWith(ORIGIN + '/') || new URL(frameUrl).origin !== ORIGIN) {
      return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the Portico window.' } };
    }
    return services.router.handle(name, input, { transport: 'ipc' });
  });
  const unsubscribe = services.events.subscribe((name, payload) => {
    if (!win.isDestroyed()) win.webContents.send('portico:event', name, payload);
  });
  win.on('closed', () => {
    unsubscribe();
    void services.close();
    app.quit();
  });
  await win.loadURL(`${ORIGIN}/`);
}

app.on('window-all-closed', () => app.quit());
start().catch((e) => {
  console.error(e);
  app.exit(1);
});
