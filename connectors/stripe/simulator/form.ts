/**
 * Decodes Stripe's v1 parameters (application/x-www-form-urlencoded bodies and query strings) with
 * bracket nesting: `metadata[k]=v`, `lines[0][amount]=5`, `expand[]=x`. Arrays arrive as objects
 * keyed "0", "1", … (Params.array turns them back into arrays). A key given twice, or given both as a
 * value and as a parent, is a 400: the SDK never sends either, so the caller made a mistake.
 */
import { invalidParams } from "./errors.js"

export type FormValue = string | FormObject
export interface FormObject {
  [key: string]: FormValue
}

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    throw invalidParams(`Invalid URL encoding in the request: ${text.slice(0, 60)}`)
  }
}

/** `a[b][0]` → ["a", "b", "0"]; `a[]` → ["a", ""]. */
const splitKey = (key: string): Array<string> => {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key)
  if (m === null) throw invalidParams(`Invalid parameter name: ${key}`)
  const rest = [...m[2]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)
  return [m[1]!, ...rest]
}

export const parseForm = (text: string): FormObject => {
  const root: FormObject = {}
  if (text.trim() === "") return root
  for (const pair of text.split("&")) {
    if (pair === "") continue
    const eq = pair.indexOf("=")
    const key = decode(eq < 0 ? pair : pair.slice(0, eq))
    const value = eq < 0 ? "" : decode(pair.slice(eq + 1))
    const path = splitKey(key)
    let node: FormObject = root
    for (let i = 0; i < path.length; i++) {
      let segment = path[i]!
      const last = i === path.length - 1
      if (segment === "") segment = String(Object.keys(node).length)
      const existing = node[segment]
      if (last) {
        if (existing !== undefined) throw invalidParams(`Received the parameter ${key} more than once.`, key)
        node[segment] = value
      } else {
        if (typeof existing === "string") throw invalidParams(`Invalid parameter ${key}: ${path[0]} was also given as a value.`, key)
        const child: FormObject = existing ?? {}
        node[segment] = child
        node = child
      }
    }
  }
  return root
}

/**
 * The reverse, for the admin API: SDK-shaped params (numbers, booleans, nested hashes, arrays,
 * null for "unset") as the form the SDK would send.
 */
export const toForm = (value: unknown): FormObject => {
  const convert = (v: unknown): FormValue | undefined => {
    if (v === undefined) return undefined
    if (v === null) return ""
    if (Array.isArray(v)) {
      const out: FormObject = {}
      v.forEach((x, i) => {
        const c = convert(x)
        if (c !== undefined) out[String(i)] = c
      })
      return out
    }
    if (typeof v === "object") {
      const out: FormObject = {}
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const c = convert(x)
        if (c !== undefined) out[k] = c
      }
      return out
    }
    return String(v)
  }
  const root = convert(value ?? {})
  return typeof root === "object" ? root : {}
}
