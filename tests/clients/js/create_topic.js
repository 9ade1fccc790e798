'use strict';
// Creates a topic with a hand-built UPDATE_AND_CREATE_TOPIC (code 17) frame, as RocketMQ's admin tool would.
const net = require('net');
module.exports = function createTopic(brokerAddr, topic, queues) {
  return new Promise((resolve, reject) => {
    const [host, port] = brokerAddr.split(':');
    const header = Buffer.from(JSON.stringify({
      code: 17, extFields: { topic, defaultTopic: 'TBW102', readQueueNums: String(queues), writeQueueNums: String(queues),
        perm: '6', topicFilterType: 'SINGLE_TAG', topicSysFlag: '0', order: 'false' },
      flag: 0, language: 'JAVA', opaque: 1, serializeTypeCurrentRPC: 'JSON', version: 401 }));
    const frame = Buffer.alloc(8 + header.length);
    frame.writeInt32BE(4 + header.length, 0);
    frame.writeInt32BE(header.length, 4);
    header.copy(frame, 8);
    const sock = net.connect(Number(port), host, () => sock.write(frame));
    let buf = Buffer.alloc(0);
    sock.on('data', d => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const hlen = buf.readInt32BE(4) & 0xffffff;
        const resp = JSON.parse(buf.slice(8, 8 + hlen).toString());
        sock.end();
        if (resp.code === 0 && resp.opaque === 1 && (resp.flag & 1) === 1) resolve(resp); else reject(new Error('create topic: ' + JSON.stringify(resp)));
      }
    });
    sock.on('error', reject);
  });
};
