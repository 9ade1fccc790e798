'use strict';
// Drives ferromq with ali-ons, a third-party pure-JS RocketMQ remoting client.
const { Producer, Consumer, Message } = require('ali-ons');
const nameSrv = process.env.NAMESRV || '127.0.0.1:9876';
const topic = 'JsSmokeTopic';
const N = 20;
const httpclient = { request: async () => { throw new Error('no http in tests'); } };
const common = { httpclient, nameSrv, clientIP: '127.0.0.1', accessKeyId: 'x', accessKeySecret: 'y', onsChannel: 'ALIYUN', persistConsumerOffsetInterval: 1000, rebalanceInterval: 1000 };

const createTopic = require('./create_topic');
(async () => {
  await createTopic(process.env.BROKER || '127.0.0.1:10911', topic, 4);
  const producer = new Producer(Object.assign({ producerGroup: 'js-pg' }, common));
  await producer.ready();
  const sent = new Set();
  for (let i = 0; i < N; i++) {
    const tag = i % 2 === 0 ? 'TagA' : 'TagB';
    const msg = new Message(topic, tag, `hello ${i}`);
    msg.keys = [`key-${i}`];
    const r = await producer.send(msg);
    if (r.sendStatus !== 'SEND_OK') throw new Error('send status ' + JSON.stringify(r));
    if (tag === 'TagA') sent.add(`hello ${i}`);
  }
  console.log('sent', N, 'TagA expected', sent.size);
  const consumer = new Consumer(Object.assign({ consumerGroup: 'js-cg', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, common));
  const got = new Set();
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: got ${got.size}/${sent.size}`)), 60000);
    consumer.subscribe(topic, 'TagA', async msg => {
      const body = msg.body.toString();
      if (msg.tags !== 'TagA') { clearTimeout(timer); reject(new Error('wrong tag ' + msg.tags)); }
      got.add(body);
      if (got.size === sent.size) { clearTimeout(timer); resolve(); }
    });
    consumer.on('error', err => console.error('consumer error', err.message));
  });
  await consumer.ready();
  await done;
  for (const b of sent) if (!got.has(b)) throw new Error('missing ' + b);
  console.log('consumed', got.size, 'of', sent.size, 'TagA messages: OK');
  await consumer.close();
  await producer.close();
  process.exit(0);
})().catch(err => { console.error('FAILED', err); process.exit(1); });
