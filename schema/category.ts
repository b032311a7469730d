import { Schema } from "effect"
import { Id } from "./common.js"

/** An account of the chart of accounts (Alegra calls them categories). */
export const Category = Schema.Struct({
  id: Id,
  parentId: Schema.NullOr(Id),
  name: Schema.String,
  code: Schema.NullOr(Schema.String),
  type: Schema.NullOr(Schema.String),
  status: Schema.NullOr(Schema.String)
})
export type Category = typeof Category.Type
