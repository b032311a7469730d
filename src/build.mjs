// `npm run bundle` (and the second half of `npm run build`): the CLI as compiled
// JavaScript in dist/. One bundle starts several times faster than Node resolving
// and tsx compiling hundreds of modules, and holds much less memory.
import { build } from "esbuild"
import { rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const outdir = path.join(root, "dist")
rmSync(outdir, { recursive: true, force: true })

const result = await build({
  absWorkingDir: root,
  // main: the CLI; index: what sync.config files import as "alegra-sync".
  entryPoints: { main: "src/main.ts", index: "src/index.ts" },
  outdir,
  bundle: true,
  // Every `import()` becomes its own chunk: a command loads only its own code, and
  // the demo's simulator is never loaded by the daemon.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  platform: "node",
  target: "node20",
  external: [
    // Native module, loaded from node_modules with its compiled binding.
    "better-sqlite3",
    // Loads sync.config.ts only (and starts esbuild's service): must stay itself.
    "tsx",
    // Large SDKs for connectors that are off by default: loaded from node_modules,
    // and only when their connector is enabled.
    "stripe",
    "@hubspot/api-client"
  ],
  // Bundled CommonJS calls require(); ESM output has none unless we make one.
  banner: {
    js: "import { createRequire as __alegraSyncCreateRequire } from \"node:module\";\n" +
      "const require = __alegraSyncCreateRequire(import.meta.url);"
  },
  // Start-up is mostly V8 parsing the bundle: fewer bytes parse faster (about a tenth off
  // `--help`). The linked source maps give names and lines back (bin.mjs turns them on
  // with LOG_LEVEL=debug).
  minify: true,
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning"
})
// Which sources went into which file: the tests use it to check what each command loads.
writeFileSync(path.join(outdir, "meta.json"), JSON.stringify(result.metafile))

// A .ts config is compiled to CommonJS (see src/config/load.ts), so its
// `import … from "alegra-sync"` is a require(): give it a CommonJS entry, since
// Node before 20.19 cannot require() an ES module.
await build({
  absWorkingDir: root,
  entryPoints: ["src/index.ts"],
  outfile: path.join(outdir, "index.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning"
})
