/**
 * Tax id types and how their values are checked. Stricter than Stripe where a rule is certain:
 * Colombian NITs and Chilean RUTs must carry a correct check digit (a wrong one is never a real
 * tax id, although Stripe's own doc examples `123.456.789-0` and `12.345.678-K` would fail it),
 * Mexican RFCs must hold a real date, EU VAT numbers follow their member state's pattern. Other
 * types of the SDK's list get a generic check (letters, digits and separators, 3–30 characters).
 */
import type Stripe from "stripe"
import { invalidParams } from "../errors.js"

/** Every type the SDK's `TaxId.Type` names (OtherString aside). */
export const TAX_ID_TYPES: ReadonlyArray<Stripe.TaxId.Type> = (
  "ad_nrt ae_trn al_tin am_tin ao_tin ar_cuit au_abn au_acn au_arn au_wpn aw_tin az_tin ba_tin bb_tin bd_bin bf_ifu bg_uic bh_vat " +
  "bj_ifu bo_tin br_cnpj br_cpf bs_tin bw_vat by_tin ca_bn ca_gst_hst ca_pst_bc ca_pst_mb ca_pst_sk ca_qst cd_nif ch_uid ch_vat " +
  "ci_vat cl_tin cm_niu cn_tin co_nit cr_tin cv_nif cz_dic de_stn do_rcn ec_ruc eg_tin es_cif et_tin eu_oss_vat eu_vat fo_vat " +
  "fr_siren fr_siret fr_spi gb_vat ge_vat gh_tin gi_tin gn_nif hk_br hr_oib hu_tin ic_nif id_npwp il_vat in_gst is_kt is_vat it_cf " +
  "jp_cn jp_rn jp_trn ke_pin kg_tin kh_tin kr_brn kz_bin la_tin li_uid li_vat lk_vat ma_vat md_cf md_vat me_pib mk_vat mr_nif " +
  "mu_vat mx_rfc my_frp my_itn my_sst mz_nuit ng_tin no_vat no_voec np_pan nz_bn nz_gst om_vat pe_ruc ph_tin pl_nip pt_nif py_ruc " +
  "ro_tin rs_pib ru_inn ru_kpp sa_vat sg_gst sg_uen si_tin sm_coe sn_ninea sr_fin sv_nit th_vat tj_tin tr_tin tt_bir tt_vat tw_vat " +
  "tz_vat ua_vat ug_tin us_ein uy_ruc uz_tin uz_vat ve_rif vn_tin za_vat zm_tin zw_tin"
).split(" ")

/** Colombian NIT check digit (DIAN, modulo 11 with prime weights). */
export const nitCheckDigit = (digits: string): number => {
  const weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
  let sum = 0
  const reversed = [...digits].reverse()
  reversed.forEach((d, i) => {
    sum += Number(d) * weights[i]!
  })
  const r = sum % 11
  return r > 1 ? 11 - r : r
}

/** Chilean RUT check digit (modulo 11, weights 2..7; 10 is K). */
export const rutCheckDigit = (digits: string): string => {
  let sum = 0
  let w = 2
  for (const d of [...digits].reverse()) {
    sum += Number(d) * w
    w = w === 7 ? 2 : w + 1
  }
  const r = 11 - (sum % 11)
  return r === 11 ? "0" : r === 10 ? "K" : String(r)
}

const validDate = (yymmdd: string): boolean => {
  const mm = Number(yymmdd.slice(2, 4))
  const dd = Number(yymmdd.slice(4, 6))
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1]
  return days !== undefined && dd >= 1 && dd <= days
}

/** EU VAT numbers: country prefix (EL for Greece, XI for Northern Ireland) and that state's pattern. */
const EU_VAT: Readonly<Record<string, RegExp>> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[A-HJ-NP-Z0-9]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^\d{7}[A-W][A-I]?$|^\d[A-Z+*]\d{5}[A-W]$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^\d{2,10}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
  XI: /^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/
}

export interface CheckedTaxId {
  /** Two-letter country of the tax id. */
  readonly country: string
}

/**
 * Validates `value` for `type`; answers the country the tax id belongs to. `prefix` names the hash
 * the two parameters sit in (`tax_id_data[0]`), "" at the top level.
 */
export const checkTaxId = (type: string, value: string, prefix = ""): CheckedTaxId => {
  const param = (name: string): string => (prefix === "" ? name : `${prefix}[${name}]`)
  const fail = (t: string, v: string): never => {
    throw invalidParams(`Invalid value for ${t}: ${v}`, param("value"), "tax_id_invalid")
  }
  if (!(TAX_ID_TYPES as ReadonlyArray<string>).includes(type)) {
    throw invalidParams(`Invalid type: ${type} is not a tax id type Stripe supports.`, param("type"))
  }
  const country = type.slice(0, 2).toUpperCase()
  switch (type) {
    case "mx_rfc": {
      const m = /^([A-ZÑ&]{3,4})(\d{6})([A-Z0-9]{3})$/.exec(value)
      if (m === null || !validDate(m[2]!)) fail(type, value)
      return { country }
    }
    case "co_nit": {
      const m = /^(\d{1,3}(?:\.\d{3}){1,3}|\d{6,10})-(\d)$/.exec(value)
      if (m === null) return fail(type, value)
      if (nitCheckDigit(m[1]!.replace(/\./g, "")) !== Number(m[2])) fail(type, value)
      return { country }
    }
    case "cl_tin": {
      const m = /^(\d{1,2}\.\d{3}\.\d{3}|\d{7,8})-([\dK])$/.exec(value)
      if (m === null) return fail(type, value)
      if (rutCheckDigit(m[1]!.replace(/\./g, "")) !== m[2]) fail(type, value)
      return { country }
    }
    case "do_rcn":
      if (!/^(\d{9}|\d{11}|\d-\d{2}-\d{5}-\d|\d{3}-\d{7}-\d)$/.test(value)) fail(type, value)
      return { country }
    case "us_ein":
      if (!/^\d{2}-\d{7}$/.test(value)) fail(type, value)
      return { country }
    case "eu_vat": {
      const prefix = value.slice(0, 2)
      const rule = EU_VAT[prefix]
      if (rule === undefined || !rule.test(value.slice(2))) fail(type, value)
      return { country: prefix === "EL" ? "GR" : prefix === "XI" ? "GB" : prefix }
    }
    default:
      if (!/^[A-Za-z0-9][A-Za-z0-9 .\-/]{1,28}[A-Za-z0-9]$/.test(value)) fail(type, value)
      return { country }
  }
}
