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

  it("gives the same Amount for a number and its numeric string, so hashes agree", () => {
    const decode = Schema.decodeUnknownSync(AmountFromWire)
    expect(decode(1500)).toBe(decode("1500.00"))
  })
})
