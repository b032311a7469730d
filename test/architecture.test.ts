import { readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { repoRoot } from "./support/process.js"

/** Every .ts file under a folder, relative to the repo. */
const sources = (folder: string): Array<string> =>
  readdirSync(path.join(repoRoot, folder)).flatMap((name) => {
    const relative = path.join(folder, name)
    return statSync(path.join(repoRoot, relative)).isDirectory()
      ? sources(relative)
      : /\.(ts|mts|mjs)$/.test(name)
      ? [relative]
      : []
  })

/** Where the relative imports of a file point, as repo-relative paths. */
const importsOf = (file: string): Array<string> =>
  [...readFileSync(path.join(repoRoot, file), "utf8").matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)]
    .map((m) => path.normalize(path.join(path.dirname(file), m[1]!)))

describe("dependency rules of DESIGN.md", () => {
  it("schema/ imports nothing of ours", () => {
    for (const file of sources("schema")) {
      expect(importsOf(file).filter((target) => !target.startsWith("schema/")), file).toEqual([])
    }
  })

  it("the engine in src/ never imports connectors/, except the composition root", () => {
    for (const file of sources("src").filter((f) => f !== "src/wiring.ts")) {
      expect(importsOf(file).filter((target) => target.startsWith("connectors/")), file).toEqual([])
    }
  })

  it("a connector imports schema/ and the port only, never another connector", () => {
    for (const file of sources("connectors")) {
      const system = file.split("/")[1]!
      const outside = importsOf(file).filter((target) =>
        !target.startsWith(`connectors/${system}/`) && !target.startsWith("schema/") && !target.startsWith("src/ports/")
      )
      expect(outside, file).toEqual([])
    }
  })

  it("the daemon's path never imports a simulator", () => {
    const root = readFileSync(path.join(repoRoot, "src/wiring.ts"), "utf8")
    expect(root).not.toMatch(/^import .*simulator/m)
    for (const file of sources("connectors").filter((f) => !f.includes("/simulator/"))) {
      expect(importsOf(file).filter((target) => target.includes("/simulator/")), file).toEqual([])
    }
  })
})
