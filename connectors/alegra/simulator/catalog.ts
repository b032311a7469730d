/** Fixed account configuration the documents refer to: taxes, price lists, number templates. */

export interface Tax {
  readonly id: number
  readonly name: string
  readonly percentage: number
  readonly description: string
  readonly type: string
}

export const TAXES: ReadonlyArray<Tax> = [
  { id: 1, name: "IVA", percentage: 19, description: "IVA general", type: "IVA" },
  { id: 2, name: "IVA", percentage: 5, description: "IVA reducido", type: "IVA" },
  { id: 3, name: "IVA", percentage: 16, description: "IVA México", type: "IVA" },
  { id: 4, name: "Exento", percentage: 0, description: "Exento de IVA", type: "IVA" },
  { id: 5, name: "INC", percentage: 8, description: "Impuesto nacional al consumo", type: "INC" }
]

export const taxById = (id: number): Tax | undefined => TAXES.find((t) => t.id === id)

export interface PriceList {
  readonly id: number
  readonly name: string
}

/** Price list 1 is the account's main list: every item must carry a price on it. */
export const PRICE_LISTS: ReadonlyArray<PriceList> = [
  { id: 1, name: "General" },
  { id: 2, name: "Mayorista" },
  { id: 3, name: "Distribuidores" }
]

export const priceListById = (id: number): PriceList | undefined => PRICE_LISTS.find((p) => p.id === id)

export interface NumberTemplate {
  readonly id: number
  readonly name: string
  readonly prefix: string
  readonly documentType: "invoice" | "creditNote"
  readonly isElectronic: boolean
  readonly firstNumber: number
}

export const NUMBER_TEMPLATES: ReadonlyArray<NumberTemplate> = [
  { id: 1, name: "Factura electrónica de venta", prefix: "FE", documentType: "invoice", isElectronic: true, firstNumber: 1001 },
  { id: 2, name: "Factura de venta", prefix: "FV", documentType: "invoice", isElectronic: false, firstNumber: 1 },
  { id: 3, name: "Nota crédito electrónica", prefix: "NCE", documentType: "creditNote", isElectronic: true, firstNumber: 1 },
  { id: 4, name: "Nota crédito", prefix: "NC", documentType: "creditNote", isElectronic: false, firstNumber: 1 }
]

export const templateById = (id: number): NumberTemplate | undefined => NUMBER_TEMPLATES.find((t) => t.id === id)

export const DEFAULT_CURRENCY = "COP"
/**
 * The currencies documents may be in, with their decimals: amounts, line totals and taxes are
 * rounded to them (half away from zero, per line and tax, as Stripe rounds), so a Chilean peso
 * document has whole pesos only.
 */
export const CURRENCIES: Readonly<Record<string, { readonly symbol: string; readonly exchangeRate: number; readonly decimals: 0 | 2 }>> = {
  COP: { symbol: "$", exchangeRate: 1, decimals: 2 },
  MXN: { symbol: "$", exchangeRate: 1, decimals: 2 },
  USD: { symbol: "US$", exchangeRate: 3950, decimals: 2 },
  CLP: { symbol: "$", exchangeRate: 4.2, decimals: 0 }
}

export const currencyDecimals = (code: string): 0 | 2 => CURRENCIES[code]?.decimals ?? 2
