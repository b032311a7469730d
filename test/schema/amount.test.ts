import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { AmountFromWire, normaliseAmount } from "../../schema/index.js"

describe("Amount", () => {
  it.each([
    [19928, "19928"],
    ["19928.00", "19928"],
    ["0019928.50", "19928.5"],
    [0.1, "0.1"],
    [1e-7, "0.0000001"],
    ["-0.00", "0"],
    ["-12.340", "-12.34"],
    [" 7 ", "7"],
    [".5", "0.5"]
  ])("normalises %j to %s", (input, expected) => {
    expect(normaliseAmount(input)).toBe(expected)
  })

  it.each(["", "abc", "1,5", "1e5x", NaN, Infinity])("rejects %j", (input) => {
    expect(normaliseAmount(input as string | number)).toBeUndefined()
    expect(Either.isLeft(Schema.decodeUnknownEither(AmountFromWire)(input))).toBe(true)
  })

  it("reads a number as its exact decimal expansion, rounded to the digits it prints (random money, tiny and huge values)", () => {
    // The oracle: the number written out with toFixed to as many decimals as it prints, read as a string.
    const exact = (n: number) => {
      const [digits = "", exponent] = String(Math.abs(n)).split("e")
      const decimals = (digits.split(".")[1]?.length ?? 0) - Number(exponent ?? 0)
      return normaliseAmount(Math.abs(n) < 1e21 ? n.toFixed(Math.min(20, Math.max(0, decimals))) : String(n))
    }
    let seed = 20261205
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const samples = [0, -0, 1e-7, -2.5e-8, 1e20, 123456789012345680000, 0.1 + 0.2, 1.005, -1234.565]
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** Math.floor(random() * 7)
      samples.push(Math.round((random() - 0.3) * 1e9) / scale, (random() - 0.5) * 10 ** Math.floor(random() * 30 - 12))
    }
    for (const n of samples) expect([n, normaliseAmount(n)]).toEqual([n, exact(n)])
  })

  it("reads any numeric string as the general rule does (the fast path for the common form included)", () => {
    // The oracle: the rule written once with regular expressions.
    const rule = (text: string) => {
      const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text)
      if (match === null || (match[2] === "" && (match[3] ?? "") === "")) return undefined
      const int = match[2]!.replace(/^0+(?=\d)/, "") || "0"
      const fraction = (match[3] ?? "").replace(/0+$/, "")
      const body = fraction === "" ? int : `${int}.${fraction}`
      return body === "0" || match[1] !== "-" ? body : `-${body}`
    }
    let seed = 4242
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const pick = <A>(choices: ReadonlyArray<A>): A => choices[Math.floor(random() * choices.length)]!
    const digits = () => Array.from({ length: Math.floor(random() * 5) }, () => pick(["0", "0", "1", "5", "9"])).join("")
    const samples = ["0", "-0", "0.0", "-0.00", "5.", ".5", "-.50", "00", "-", ".", "1.5.0", "1x", "٣"]
    for (let i = 0; i < 20_000; i++) {
      samples.push(`${pick(["", "", "", "-", "+", " "])}${digits()}${pick(["", ".", "."])}${digits()}${pick(["", "", "", " ", "a"])}`)
    }
    for (const text of samples) expect([text, normaliseAmount(text)]).toEqual([text, rule(text)])
  })

  it("gives the same Amount for a number and its numeric string, so hashes agree", () => {
    const decode = Schema.decodeUnknownSync(AmountFromWire)
    expect(decode(1500)).toBe(decode("1500.00"))
  })
})
