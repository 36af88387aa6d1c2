import { NextResponse } from 'next/server'

export function proxy(): NextResponse {
  return NextResponse.next()
}

export const config = { matcher: '/api/webhooks/large' }
