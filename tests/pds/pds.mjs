// The reference Bluesky PDS for Masthead's publish tests: @atproto/dev-env's
// TestNetworkNoAppView starts a real PDS and a PLC directory on loopback.
// This script makes one account with an app password, prints
//
//   {"service": URL, "handle": HANDLE, "did": DID, "password": APP_PASSWORD}
//
// as one line on stdout, and keeps the servers up until its stdin closes (the
// test process ending closes it too), then stops them and exits.
//
// The account is made over plain XRPC (fetch), not a client library, so the
// script does not depend on which client API this dev-env version has.
import { TestNetworkNoAppView } from '@atproto/dev-env'

const handle = 'masthead.test'
const accountPassword = 'account-password-never-used-by-masthead'

const network = await TestNetworkNoAppView.create({})
const service = network.pds.url

async function xrpc(method, body, token) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${service}/xrpc/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  })
  const data = await response.json()
  if (!response.ok) throw new Error(`${method}: ${response.status} ${JSON.stringify(data)}`)
  return data
}

const account = await xrpc('com.atproto.server.createAccount', {
  handle,
  email: 'masthead@example.com',
  password: accountPassword,
})
// Masthead is given an app password, as its users are told to make one.
const app = await xrpc('com.atproto.server.createAppPassword', { name: 'masthead' }, account.accessJwt)

process.stdout.write(
  JSON.stringify({ service, handle, did: account.did, password: app.password }) + '\n',
)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  try {
    await network.close()
  } finally {
    process.exit(0)
  }
}
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
