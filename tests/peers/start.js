// start.js - start a real AWS service implementation on 127.0.0.1 on a free
// port and print that port on the first line of stdout; runs until killed.
//   node start.js dynalite
//   node start.js s3rver DIR
'use strict'
const which = process.argv[2]
if (which === 'dynalite') {
  const server = require('dynalite')({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0})
  server.listen(0, '127.0.0.1', () => console.log(server.address().port))
} else if (which === 's3rver') {
  const S3rver = require('s3rver')
  new S3rver({port: 0, address: '127.0.0.1', silent: true, directory: process.argv[3]})
    .run()
    .then(addr => console.log(addr.port))
} else {
  console.error('usage: node start.js dynalite | s3rver DIR')
  process.exit(2)
}
