/**
 * THE ORACLE (tests only): Alegra's JSON as the connector read it before the hand-written
 * decoder, as tolerant Effect Schemas, kept unchanged so that
 * decode-equivalence.test.ts can prove the decoder in connectors/alegra/mapping.ts
 * accepts and produces exactly the same. Accepts every shape the API is known to send:
 * - ids as strings or numbers (normalised to strings);
 * - amounts as numbers or numeric strings;
 * - `null` or a missing key for every optional field;
 * - references as `{id}` or a bare id; currencies as `{code}` or a code;
 * - numberTemplate as an object or an array; item price as a number or a price-list array;
 * - contact name as a string or `{firstName, …}`, identification as a string or an object,
 *   type as an array or a bare string.
 * Unknown keys are ignored.
 */
import { ParseResult, Schema } from "effect"
import { Nullish, WireId } from "../../../connectors/alegra/wire.js"
import { AmountFromWire, normaliseAmount } from "../../../schema/index.js"

/** A text that is sometimes sent as a number (numbers, codes, identification numbers). */
export const WireText = Schema.transform(Schema.Union(Schema.String, Schema.Number), Schema.String, {
  strict: true,
  decode: (input) => typeof input === "number" ? String(input) : input,
  encode: (text) => text
})

/** An amount where an empty string means "not given". */
export const LooseAmount = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.String),
  Schema.NullOr(Schema.String),
  {
    strict: true,
    decode: (input, _, ast) => {
      if (typeof input === "string" && input.trim() === "") return ParseResult.succeed(null)
      const amount = normaliseAmount(input)
      return amount === undefined
        ? ParseResult.fail(
          new ParseResult.Type(ast, input, `expected a number or a numeric string, got ${JSON.stringify(input)}`)
        )
        : ParseResult.succeed(amount)
    },
    encode: (amount, _, ast) =>
      amount === null ? ParseResult.fail(new ParseResult.Forbidden(ast, amount, "cannot encode")) : ParseResult.succeed(amount)
  }
)

/** A yyyy-MM-dd date, possibly followed by a time ("2024-01-15 10:20:00"). */
export const WireDate = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: (input, _, ast) => {
    const match = /^\s*(\d{4}-\d{2}-\d{2})/.exec(input)
    return match === null
      ? ParseResult.fail(new ParseResult.Type(ast, input, `expected a yyyy-MM-dd date, got ${JSON.stringify(input)}`))
      : ParseResult.succeed(match[1]!)
  },
  encode: ParseResult.succeed
})

/** An optional date where "" and "0000-00-00" mean "none". */
export const LooseDate = Schema.transformOrFail(Schema.String, Schema.NullOr(Schema.String), {
  strict: true,
  decode: (input, _, ast) => {
    if (input.trim() === "" || input.startsWith("0000-00-00")) return ParseResult.succeed(null)
    const match = /^\s*(\d{4}-\d{2}-\d{2})/.exec(input)
    return match === null
      ? ParseResult.fail(new ParseResult.Type(ast, input, `expected a yyyy-MM-dd date, got ${JSON.stringify(input)}`))
      : ParseResult.succeed(match[1]!)
  },
  encode: (date, _, ast) =>
    date === null ? ParseResult.fail(new ParseResult.Forbidden(ast, date, "cannot encode")) : ParseResult.succeed(date)
})

/** A lower-cased enumeration ("Open" and "open" are the same status). */
export const WireEnum = <const L extends ReadonlyArray<string>>(...literals: L) =>
  Schema.transformOrFail(Schema.String, Schema.Literal(...literals), {
    strict: false,
    decode: (input, _, ast) => {
      const value = input.trim().toLowerCase()
      return (literals as ReadonlyArray<string>).includes(value)
        ? ParseResult.succeed(value)
        : ParseResult.fail(
          new ParseResult.Type(ast, input, `expected one of ${literals.join("|")}, got ${JSON.stringify(input)}`)
        )
    },
    encode: ParseResult.succeed
  })

/** `{id}` or a bare id. */
export const WireRef = Schema.Union(WireId, Schema.Struct({ id: Nullish(WireId) }))
export type WireRef = typeof WireRef.Type

/** A currency as `{code, symbol, exchangeRate}` or a bare code. */
export const WireCurrency = Schema.Union(Schema.String, Schema.Struct({ code: Nullish(Schema.String) }))
export type WireCurrency = typeof WireCurrency.Type

export const WireNumberTemplate = Schema.Struct({
  id: Nullish(WireId),
  prefix: Nullish(WireText),
  number: Nullish(WireText),
  fullNumber: Nullish(WireText)
})
/** numberTemplate comes as an object, and sometimes as an array of one. */
export const WireNumberTemplateField = Schema.Union(WireNumberTemplate, Schema.Array(WireNumberTemplate))
export type WireNumberTemplateField = typeof WireNumberTemplateField.Type

/** Taxes: an array of `{id, …}`, sometimes a single object or bare ids. */
export const WireTaxField = Schema.Union(Schema.Array(WireRef), WireRef)
export type WireTaxField = typeof WireTaxField.Type

/** One line of an invoice, bill, credit note or estimate. */
export const WireLine = Schema.Struct({
  id: Nullish(WireId),
  name: Nullish(Schema.String),
  description: Nullish(Schema.String),
  price: AmountFromWire,
  quantity: AmountFromWire,
  discount: Nullish(LooseAmount),
  tax: Nullish(WireTaxField),
  total: Nullish(LooseAmount)
})
export type WireLine = typeof WireLine.Type

/** A document a payment or credit note is applied to, with the applied amount. */
export const WireApplication = Schema.Struct({
  id: WireId,
  amount: AmountFromWire
})
export type WireApplication = typeof WireApplication.Type

// ---------------------------------------------------------------------------------------
// Contact

export const WireNameObject = Schema.Struct({
  firstName: Nullish(Schema.String),
  secondName: Nullish(Schema.String),
  lastName: Nullish(Schema.String),
  secondLastName: Nullish(Schema.String)
})
export type WireNameObject = typeof WireNameObject.Type

export const WireIdentificationObject = Schema.Struct({
  /** A code ("NIT"), or in some countries an object carrying the code. */
  type: Nullish(Schema.Union(
    Schema.String,
    Schema.Struct({ code: Nullish(WireText), key: Nullish(WireText), name: Nullish(WireText) })
  )),
  number: Nullish(WireText),
  dv: Nullish(WireText)
})
export type WireIdentificationObject = typeof WireIdentificationObject.Type

export const WireAddress = Schema.Struct({
  address: Nullish(Schema.String),
  street: Nullish(Schema.String),
  exteriorNumber: Nullish(WireText),
  interiorNumber: Nullish(WireText),
  colony: Nullish(Schema.String),
  city: Nullish(Schema.String),
  department: Nullish(Schema.String),
  state: Nullish(Schema.String),
  province: Nullish(Schema.String),
  region: Nullish(Schema.String),
  country: Nullish(Schema.String),
  zipCode: Nullish(WireText),
  postalCode: Nullish(WireText)
})
export type WireAddress = typeof WireAddress.Type

export const WireContact = Schema.Struct({
  id: WireId,
  name: Schema.Union(Schema.String, WireNameObject),
  nameObject: Nullish(WireNameObject),
  identification: Nullish(Schema.Union(WireText, WireIdentificationObject)),
  identificationObject: Nullish(WireIdentificationObject),
  email: Nullish(Schema.String),
  phonePrimary: Nullish(WireText),
  phoneSecondary: Nullish(WireText),
  mobile: Nullish(WireText),
  /** ["client","provider"], a bare "client" or "client,provider"; invalid values are dropped. */
  type: Nullish(Schema.Union(Schema.String, Schema.Array(Schema.NullOr(Schema.String)))),
  status: Nullish(Schema.String),
  address: Nullish(Schema.Union(Schema.String, WireAddress))
})
export type WireContact = typeof WireContact.Type

// ---------------------------------------------------------------------------------------
// Item

export const WirePriceEntry = Schema.Struct({
  idPriceList: Nullish(WireId),
  price: AmountFromWire
})

export const WireItem = Schema.Struct({
  id: WireId,
  name: Schema.String,
  description: Nullish(Schema.String),
  /** A text, or in some accounts `{reference}`. */
  reference: Nullish(Schema.Union(WireText, Schema.Struct({ reference: Nullish(WireText) }))),
  status: Nullish(Schema.String),
  /** A number on create, an array of price lists in responses (the main list first). */
  price: Nullish(Schema.Union(AmountFromWire, Schema.Array(WirePriceEntry))),
  tax: Nullish(WireTaxField),
  type: Nullish(Schema.String),
  productKey: Nullish(WireText)
})
export type WireItem = typeof WireItem.Type

// ---------------------------------------------------------------------------------------
// Documents

const documentFields = {
  id: WireId,
  date: WireDate,
  numberTemplate: Nullish(WireNumberTemplateField),
  number: Nullish(WireText),
  currency: Nullish(WireCurrency),
  total: AmountFromWire,
  /** Electronic stamp: its output carries a uuid (Mexico), a cufe or cude (Colombia)… */
  stamp: Nullish(Schema.Unknown)
}

export const WireInvoice = Schema.Struct({
  ...documentFields,
  dueDate: Nullish(LooseDate),
  status: WireEnum("draft", "open", "closed", "void"),
  client: WireRef,
  items: Nullish(Schema.Array(WireLine)),
  totalPaid: Nullish(LooseAmount),
  balance: Nullish(LooseAmount),
  observations: Nullish(Schema.String)
})
export type WireInvoice = typeof WireInvoice.Type

export const WireBill = Schema.Struct({
  ...documentFields,
  dueDate: Nullish(LooseDate),
  status: WireEnum("draft", "open", "closed", "void"),
  provider: Nullish(WireRef),
  client: Nullish(WireRef),
  billNumber: Nullish(WireText),
  /** Lines: catalog items and expense accounts. */
  purchases: Nullish(Schema.Struct({
    items: Nullish(Schema.Array(WireLine)),
    categories: Nullish(Schema.Array(WireLine))
  })),
  items: Nullish(Schema.Array(WireLine)),
  categories: Nullish(Schema.Array(WireLine)),
  totalPaid: Nullish(LooseAmount),
  balance: Nullish(LooseAmount)
})
export type WireBill = typeof WireBill.Type

/** Money a credit note returned, from a bank account. */
export const WireRefund = Schema.Struct({
  date: WireDate,
  account: Nullish(WireRef),
  amount: AmountFromWire
})

export const WireCreditNote = Schema.Struct({
  ...documentFields,
  status: WireEnum("open", "closed", "void"),
  client: WireRef,
  items: Nullish(Schema.Array(WireLine)),
  balance: Nullish(LooseAmount),
  totalApplied: Nullish(LooseAmount),
  invoices: Nullish(Schema.Array(WireApplication)),
  refunds: Nullish(Schema.Array(WireRefund))
})
export type WireCreditNote = typeof WireCreditNote.Type

export const WireEstimate = Schema.Struct({
  ...documentFields,
  dueDate: Nullish(LooseDate),
  status: Schema.String,
  client: WireRef,
  items: Nullish(Schema.Array(WireLine))
})
export type WireEstimate = typeof WireEstimate.Type

export const WirePayment = Schema.Struct({
  id: WireId,
  number: Nullish(WireText),
  numberTemplate: Nullish(WireNumberTemplateField),
  date: WireDate,
  amount: Nullish(LooseAmount),
  /** in = received against invoices, out = paid against bills. */
  type: Nullish(WireEnum("in", "out")),
  status: Nullish(Schema.String),
  paymentMethod: Nullish(Schema.Union(
    Schema.String,
    Schema.Struct({ name: Nullish(Schema.String), key: Nullish(Schema.String), id: Nullish(WireText) })
  )),
  bankAccount: Nullish(WireRef),
  client: Nullish(WireRef),
  provider: Nullish(WireRef),
  currency: Nullish(WireCurrency),
  invoices: Nullish(Schema.Array(WireApplication)),
  bills: Nullish(Schema.Array(WireApplication))
})
export type WirePayment = typeof WirePayment.Type

// ---------------------------------------------------------------------------------------
// Accounts

export const WireCategory = Schema.Struct({
  id: WireId,
  /** null, "" or missing for a root account. */
  idParent: Nullish(Schema.Union(WireId, Schema.Literal(""))),
  name: Schema.String,
  code: Nullish(WireText),
  type: Nullish(Schema.String),
  status: Nullish(Schema.String)
})
export type WireCategory = typeof WireCategory.Type

export const WireBankAccount = Schema.Struct({
  id: WireId,
  name: Schema.String,
  number: Nullish(WireText),
  type: Nullish(Schema.String),
  status: Nullish(Schema.String)
})
export type WireBankAccount = typeof WireBankAccount.Type
