export * from "./define.js"
export * from "./load.js"
export * from "./schema.js"
