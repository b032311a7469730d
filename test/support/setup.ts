import { afterAll } from "vitest"
import { removeTempDirs } from "./process.js"

afterAll(removeTempDirs)
