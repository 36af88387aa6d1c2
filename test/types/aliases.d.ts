// The older majors are installed under aliases, to test both; they are typed
// with the current majors' types, which cover what the tests use.
declare module 'express4' {
  import express from 'express'
  export default express
}
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
