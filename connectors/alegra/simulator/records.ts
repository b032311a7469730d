/** How the simulator stores records internally (wire shapes are built by each rule module's render). */
import { type Kind, kinds } from "../../../schema/index.js"

/** The simulator keeps the same kinds as the canonical model, prerequisites first. */
export const KINDS = kinds
export type SimKind = Kind

export const isKind = (s: string): s is SimKind => (KINDS as ReadonlyArray<string>).includes(s)

export type Status = "active" | "inactive"
export type Role = "client" | "provider"

export interface BaseRec {
  readonly id: string
  /** Creation order: what "order by id" means, for numeric and UUIDv7 ids alike. */
  readonly seq: number
  readonly createdAt: string
  updatedAt: string
}

export interface IdentificationRec {
  readonly type: string | null
  readonly number: string
  readonly dv: string | null
}

export interface NameParts {
  readonly firstName: string
  readonly secondName: string | null
  readonly lastName: string
  readonly secondLastName: string | null
}

export interface ContactRec extends BaseRec {
  name: string
  nameObject: NameParts | null
  identification: IdentificationRec | null
  email: string | null
  phonePrimary: string | null
  phoneSecondary: string | null
  mobile: string | null
  fax: string | null
  observations: string | null
  address: Readonly<Record<string, string | null>> | null
  types: ReadonlyArray<Role>
  /** Legacy / "simple mode" contacts answer `type` as a bare string. */
  typeAsString: boolean
  status: Status
  kindOfPerson: string | null
  regime: string | null
  priceListId: number | null
}

export interface PriceRec {
  readonly idPriceList: number
  readonly price: number
}

export interface ItemRec extends BaseRec {
  name: string
  description: string | null
  reference: string | null
  status: Status
  type: string
  prices: ReadonlyArray<PriceRec>
  taxIds: ReadonlyArray<number>
  productKey: string | null
  categoryId: string | null
  inventory: { readonly unit: string; readonly unitCost: number; readonly initialQuantity: number } | null
}

/** A document line: a catalog item (itemId) or an accounting account (categoryId, bills only). */
export interface LineInput {
  readonly itemId: string | null
  readonly categoryId: string | null
  readonly name: string
  readonly description: string | null
  readonly reference: string | null
  readonly price: number
  readonly quantity: number
  readonly discount: number
  readonly taxIds: ReadonlyArray<number>
}

/** A line with its amounts computed, in cents, rounded to the document currency's decimals. */
export interface LineRec extends LineInput {
  /** price × quantity, before discount. */
  readonly grossCents: number
  /** grossCents minus the discount. */
  readonly baseCents: number
  /** Each tax of `taxIds` on the base, in the same order. */
  readonly taxAmounts: ReadonlyArray<number>
  readonly taxCents: number
  readonly totalCents: number
}

export interface Totals {
  subtotalCents: number
  discountCents: number
  taxCents: number
  totalCents: number
}

export interface NumberingRec {
  readonly templateId: number | null
  readonly prefix: string
  /** null while the document is a draft with automatic numbering. */
  number: string | null
}

export interface StampRec {
  readonly legalStatus: string
  readonly cufe: string
  readonly uuid: string
  readonly date: string
}

export type InvoiceStatus = "draft" | "open" | "closed" | "void"

/** What electronic invoicing asks of a sales document (CFDI: forma and método de pago, uso del CFDI, régimen). */
export interface FiscalRec {
  paymentForm: string | null
  paymentMethod: string | null
  cfdiUse: string | null
  regime: string | null
}

export interface InvoiceRec extends BaseRec, Totals, FiscalRec {
  date: string
  dueDate: string
  readonly datetime: string
  clientId: string
  lines: ReadonlyArray<LineRec>
  status: InvoiceStatus
  numbering: NumberingRec
  stamp: StampRec | null
  observations: string | null
  anotation: string | null
  termsConditions: string | null
  currency: string
  paidCents: number
  creditedCents: number
  /** Every payment that ever referenced it (also voided ones). */
  paymentIds: string[]
  creditNoteIds: string[]
}

export interface BillRec extends BaseRec, Totals {
  date: string
  dueDate: string
  readonly datetime: string
  providerId: string
  itemLines: ReadonlyArray<LineRec>
  categoryLines: ReadonlyArray<LineRec>
  status: InvoiceStatus
  billNumber: string | null
  observations: string | null
  currency: string
  paidCents: number
  paymentIds: string[]
}

export interface ApplicationRec {
  readonly documentId: string
  readonly amountCents: number
}

/** Money a credit note returns to the client from a bank account (a "devolución"). */
export interface RefundRec {
  readonly date: string
  readonly accountId: string
  readonly amountCents: number
  readonly observations: string | null
}

export interface CategoryLineRec {
  readonly categoryId: string
  readonly price: number
  readonly quantity: number
  readonly taxIds: ReadonlyArray<number>
  readonly observations: string | null
  readonly totalCents: number
}

export interface PaymentRec extends BaseRec {
  number: string
  date: string
  readonly type: "in" | "out"
  status: "open" | "void"
  contactId: string | null
  bankAccountId: string
  paymentMethod: string
  applications: ReadonlyArray<ApplicationRec>
  categoryLines: ReadonlyArray<CategoryLineRec>
  amountCents: number
  observations: string | null
  anotation: string | null
  currency: string
}

export interface CreditNoteRec extends BaseRec, Totals, FiscalRec {
  date: string
  readonly datetime: string
  clientId: string
  lines: ReadonlyArray<LineRec>
  status: "open" | "closed" | "void"
  numbering: NumberingRec
  stamp: StampRec | null
  applications: ReadonlyArray<ApplicationRec>
  appliedCents: number
  refunds: ReadonlyArray<RefundRec>
  refundedCents: number
  observations: string | null
  cause: string | null
  currency: string
}

export interface EstimateRec extends BaseRec, Totals {
  number: string
  date: string
  dueDate: string | null
  clientId: string
  lines: ReadonlyArray<LineRec>
  status: "billed" | "unbilled"
  observations: string | null
  currency: string
}

export interface CategoryRec extends BaseRec {
  readonly parentId: string | null
  name: string
  code: string | null
  description: string | null
  readonly type: string
  readonly nature: "debit" | "credit"
  status: Status
  readonly readOnly: boolean
}

export interface BankAccountRec extends BaseRec {
  name: string
  number: string | null
  description: string | null
  readonly type: "bank" | "credit-card" | "cash"
  status: Status
  readonly initialBalance: number
  readonly initialBalanceDate: string
}

export interface RecordOf {
  contact: ContactRec
  item: ItemRec
  invoice: InvoiceRec
  bill: BillRec
  payment: PaymentRec
  "credit-note": CreditNoteRec
  estimate: EstimateRec
  category: CategoryRec
  "bank-account": BankAccountRec
}
