// Bundles src/main.js (mediasoup-client + protoo-client) into ../wwwroot/app.js with a sourcemap and copies
// index.html and styles.css next to it. Run by the Signalling project's build (see AkkaSfu.Signalling.csproj);
// `node build.mjs --watch` rebuilds on change while developing.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', 'wwwroot');
const staticFiles = ['index.html', 'styles.css'];

const options = {
  entryPoints: [join(here, 'src', 'main.js')],
  outfile: join(outDir, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome111', 'firefox120', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
};

async function copyStatic() {
  await mkdir(outDir, { recursive: true });
  await Promise.all(staticFiles.map((f) => copyFile(join(here, f), join(outDir, f))));
}

if (process.argv.includes('--watch')) {
  await copyStatic();
  const ctx = await esbuild.context({ ...options, logLevel: 'info' });
  await ctx.watch();
  console.log('watching src/ (index.html and styles.css are copied at start only)');
} else {
  await copyStatic();
  await esbuild.build(options);
  console.log(`built ${join(outDir, 'app.js')}`);
}
