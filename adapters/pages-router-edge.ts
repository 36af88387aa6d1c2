// The web build's '#pages-router': Pages Router API routes run on Node.js
// only, and nothing here may pull node: modules into an edge bundle.
import type { PagesRouterSupport } from './pages-router-node.js'

export const pagesRouter: PagesRouterSupport | undefined = undefined
