// `npm start`: the desktop app where the Electron binary is installed, else browser mode.
import { spawn } from 'node:child_process';
import { electronBinary } from './electron-binary.mjs';

const bin = electronBinary();
const child = bin
  ? spawn(bin, ['.'], { stdio: 'inherit' })
  : (console.log('Electron binary not installed here: starting Portico in browser mode.'),
    spawn(process.execPath, ['dist/electron/server.cjs'], { stdio: 'inherit' }));
child.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
