/** Stripe minor units ↔ canonical decimal amounts, exact, per currency. */
import { describe, expect, it } from "vitest"
import { fromMinor, minorDigits, toMinor } from "../../connectors/stripe/index.js"
import { CURRENCIES, minorUnits } from "../../connectors/stripe/simulator/index.js"

describe("minor units per currency", () => {
  it("agrees with the simulator's table for every currency Stripe presents", () => {
    for (const currency of CURRENCIES) expect([currency, minorDigits(currency)]).toEqual([currency, minorUnits(currency)])
    expect(minorDigits("CLP")).toBe(0)
    expect(minorDigits("kwd")).toBe(3)
    expect(minorDigits("isk")).toBe(2)
  })
})

describe("fromMinor", () => {
  it.each([
    ["mxn", 150_000, "1500"],
    ["mxn", 174_000, "1740"],
    ["mxn", 1, "0.01"],
    ["mxn", 10, "0.1"],
    ["cop", 25_000_000, "250000"],
    ["cop", 2_380_000_099, "23800000.99"],
    ["clp", 180_000, "180000"],
    ["clp", 1, "1"],
    ["usd", 4_900, "49"],
    ["usd", 999_999_999_999, "9999999999.99"],
    ["usd", 0, "0"],
    ["usd", -2_550, "-25.5"],
    ["kwd", 12_345, "12.345"],
    ["bhd", 10, "0.01"],
    ["jpy", 500, "500"]
  ])("%s %s → %s", (currency, minor, major) => {
    expect(fromMinor(minor, currency)).toBe(major)
  })

  it("takes unit_amount_decimal strings with fractions of a minor unit, exactly", () => {
    expect(fromMinor("150000", "mxn")).toBe("1500")
    expect(fromMinor("1234.5678", "usd")).toBe("12.345678")
    expect(fromMinor("0.5", "clp")).toBe("0.5")
    expect(fromMinor("0.001", "kwd")).toBe("0.000001")
    // Beyond what a float holds exactly: 2^53 + 1 minor units.
    expect(fromMinor("9007199254740993", "usd")).toBe("90071992547409.93")
  })

  it("answers undefined for what is not an amount", () => {
    expect(fromMinor(1.5, "usd")).toBeUndefined()
    expect(fromMinor(Number.NaN, "usd")).toBeUndefined()
    expect(fromMinor("12e3", "usd")).toBeUndefined()
    expect(fromMinor("", "usd")).toBeUndefined()
  })
})

describe("toMinor", () => {
  it.each([
    ["mxn", "1500", 150_000],
    ["mxn", "0.01", 1],
    ["mxn", "1740.00", 174_000],
    ["cop", "23800000.99", 2_380_000_099],
    ["clp", "180000", 180_000],
    ["clp", "180000.000", 180_000],
    ["usd", "49", 4_900],
    ["usd", "-25.5", -2_550],
    ["kwd", "12.345", 12_345],
    ["omr", "0.1", 100]
  ])("%s %s → %s", (currency, major, minor) => {
    expect(toMinor(major, currency)).toBe(minor)
  })

  it("refuses what the minor unit cannot hold instead of rounding", () => {
    expect(toMinor("0.5", "clp")).toBeUndefined()
    expect(toMinor("0.001", "usd")).toBeUndefined()
    expect(toMinor("0.0001", "kwd")).toBeUndefined()
    expect(toMinor("90071992547409.93", "usd")).toBeUndefined()
    expect(toMinor("abc", "usd")).toBeUndefined()
  })

  it("round-trips every amount of a sweep of values in each currency", () => {
    for (const currency of ["mxn", "cop", "clp", "usd", "kwd"]) {
      for (let minor = -1_001; minor <= 100_001; minor += 997) expect(toMinor(fromMinor(minor, currency)!, currency)).toBe(minor)
    }
  })
})
