/**
 * A customer's tax ids → the one canonical identification.
 *
 * The Alegra name of a Stripe tax id type is, for most types, the part after the country in
 * upper case (mx_rfc → RFC, co_nit → NIT, pe_ruc → RUC, ar_cuit → CUIT, es_cif → CIF,
 * us_ein → EIN); the table holds the types whose local name differs. The number stays as
 * Stripe has it (the engine normalises for matching), except that the check digit of a
 * Colombian NIT and of a Chilean RUT, after the last dash, goes to `dv`.
 */
import type { Identification } from "../../../schema/index.js"

const LOCAL_NAMES: Readonly<Record<string, string>> = {
  cl_tin: "RUT", // Chile: Rol Único Tributario
  do_rcn: "RNC", // Dominican Republic: Registro Nacional del Contribuyente
  bo_tin: "NIT", // Bolivia: Número de Identificación Tributaria
  uy_ruc: "RUT", // Uruguay: Registro Único Tributario
  cr_tin: "CJ", // Costa Rica: cédula jurídica
  eu_vat: "NIF-IVA" // intra-community VAT number (Spain's NIF-IVA)
}

/** Types whose value ends in a check digit after a dash. */
const CHECK_DIGIT_TYPES: ReadonlySet<string> = new Set(["co_nit", "cl_tin"])

/** Tax ids of the countries Alegra serves: preferred when a customer has several. */
const ALEGRA_COUNTRIES: ReadonlySet<string> = new Set(["mx", "co", "cl", "do", "pe", "ar", "cr", "ec", "pa", "es", "bo", "uy", "gt", "sv", "ve", "py"])

export const identificationType = (stripeType: string): string =>
  LOCAL_NAMES[stripeType] ?? (stripeType.includes("_") ? stripeType.slice(stripeType.indexOf("_") + 1) : stripeType).toUpperCase()

export interface TaxIdLike {
  readonly type: string
  readonly value: string
  readonly country?: string | null
  readonly created?: number
}

export const identificationOf = (taxId: TaxIdLike): Identification => {
  const split = CHECK_DIGIT_TYPES.has(taxId.type) ? /^(.+)-([0-9Kk])$/.exec(taxId.value.trim()) : null
  return {
    type: identificationType(taxId.type),
    number: split === null ? taxId.value : split[1]!,
    dv: split === null ? null : split[2]!.toUpperCase()
  }
}

/**
 * The tax id that identifies the customer in Alegra: one of the customer's own country first,
 * then one of a country Alegra serves, then the oldest.
 */
export const chooseTaxId = <T extends TaxIdLike>(taxIds: ReadonlyArray<T>, customerCountry: string | null): T | undefined => {
  const rank = (t: T): number => {
    const country = (t.country ?? t.type.slice(0, 2)).toLowerCase()
    if (customerCountry !== null && country === customerCountry.toLowerCase()) return 0
    return ALEGRA_COUNTRIES.has(t.type.slice(0, 2)) ? 1 : 2
  }
  return [...taxIds].sort((a, b) => rank(a) - rank(b) || (a.created ?? 0) - (b.created ?? 0))[0]
}
