import { test } from '@japa/runner'
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import {
  canonicalString,
  md5Sign,
  md5Verify,
  privateKeyOf,
  publicKeyOf,
  rsaSignParams,
  rsaVerifyParams,
} from '#plugins/payment-epay/signing'
import { formatMoney, parseForm, truncateUtf8 } from '#plugins/payment-epay/plugin'
import { epayKeys, FAKE_MD5_KEY } from '#tests/helpers/fake_epay'

/** A submit request as the plugin builds it (fixed values: golden vectors). */
const ORDER = {
  pid: '1001',
  type: 'alipay',
  out_trade_no: '20261125000001',
  notify_url: 'https://shop.example/pay/callback/payment-epay',
  return_url: 'https://shop.example/orders/20261125000001',
  name: 'VIP 月卡',
  money: '12.30',
  param: '',
  sign_type: 'MD5',
}

const CANONICAL =
  'money=12.30&name=VIP 月卡&notify_url=https://shop.example/pay/callback/payment-epay' +
  '&out_trade_no=20261125000001&pid=1001&return_url=https://shop.example/orders/20261125000001' +
  '&type=alipay'

test.group('payment-epay / v1 MD5 signing (golden)', () => {
  test('canonical string: sign, sign_type and empty values dropped, ASCII order, raw values', ({
    assert,
  }) => {
    assert.equal(canonicalString({ ...ORDER, sign: 'whatever' }), CANONICAL)
    // Keys sort by bytes, not by locale: upper case before lower case, "_" after letters.
    assert.equal(canonicalString({ b: '1', B: '2', a_b: '3', ab: '4' }), 'B=2&a_b=3&ab=4&b=1')
    // Nothing is URL-encoded.
    assert.equal(canonicalString({ u: 'https://x.test/?a=1&b=2 c' }), 'u=https://x.test/?a=1&b=2 c')
    // Arrays and objects take no part (money[]= is never signed).
    assert.equal(canonicalString({ money: ['1.00'], pid: '1' }), 'pid=1')
  })

  test('md5(canonical + key), key appended directly, lower-case hex', ({ assert }) => {
    // Independent computation: the string built by hand, md5 by node:crypto.
    const expected = createHash('md5')
      .update(CANONICAL + FAKE_MD5_KEY, 'utf8')
      .digest('hex')
    assert.equal(md5Sign(ORDER, FAKE_MD5_KEY), expected)
    // Known vector (computed with `printf '%s' … | md5sum`).
    assert.equal(md5Sign(ORDER, FAKE_MD5_KEY), '8dec3d36981bae5a47dbeba6b65fc347')
    // Not `&key=`: the common mistake gives another signature.
    assert.notEqual(
      md5Sign(ORDER, FAKE_MD5_KEY),
      createHash('md5').update(`${CANONICAL}&key=${FAKE_MD5_KEY}`).digest('hex')
    )
  })

  test('md5Verify: genuine accepted (any case), anything changed refused', ({ assert }) => {
    const signed = { ...ORDER, sign: md5Sign(ORDER, FAKE_MD5_KEY) }
    assert.isTrue(md5Verify(signed, FAKE_MD5_KEY))
    assert.isTrue(md5Verify({ ...signed, sign: signed.sign.toUpperCase() }, FAKE_MD5_KEY))
    assert.isFalse(md5Verify({ ...signed, money: '0.01' }, FAKE_MD5_KEY))
    assert.isFalse(md5Verify({ ...signed, money: ['12.30'] }, FAKE_MD5_KEY))
    assert.isFalse(md5Verify(signed, `${FAKE_MD5_KEY}x`))
    assert.isFalse(md5Verify({ ...signed, sign: undefined }, FAKE_MD5_KEY))
    assert.isFalse(md5Verify({ ...signed, sign: 'forged' }, FAKE_MD5_KEY))
    assert.isFalse(md5Verify({ ...signed, sign: [signed.sign] }, FAKE_MD5_KEY))
    // An empty value added after signing changes nothing (empty values are not signed).
    assert.isTrue(md5Verify({ ...signed, extra: '' }, FAKE_MD5_KEY))
  })
})

test.group('payment-epay / v2 RSA signing (golden)', () => {
  const params = { ...ORDER, timestamp: '1764000000', sign_type: 'RSA' }
  const merchantPrivate = privateKeyOf(epayKeys.merchantPrivate)!
  const merchantPublic = publicKeyOf(epayKeys.merchantPublic)!

  test('the fixture keys parse (PEM, one-line PEM, bare base64, PKCS#1)', ({ assert }) => {
    assert.exists(merchantPrivate)
    assert.exists(merchantPublic)
    const oneLine = epayKeys.merchantPrivate.replace(/\n/g, ' ')
    const bare = epayKeys.platformPublic.replace(/-----[A-Z ]+-----|\s/g, '')
    assert.exists(privateKeyOf(oneLine))
    assert.exists(publicKeyOf(bare))
    const pkcs1 = createPrivateKey(epayKeys.merchantPrivate)
      .export({ format: 'pem', type: 'pkcs1' })
      .toString()
    assert.include(pkcs1, 'BEGIN RSA PRIVATE KEY')
    assert.exists(privateKeyOf(pkcs1))
    assert.isNull(privateKeyOf('not a key'))
    assert.isNull(publicKeyOf(''))
    assert.isNull(publicKeyOf('QUJD'))
  })

  test('SHA256WithRSA over the canonical string: a hard-coded deterministic signature', ({
    assert,
  }) => {
    const signature = rsaSignParams(params, merchantPrivate)
    // Computed with `printf '%s' <canonical> | openssl dgst -sha256 -sign merchant_private.pem | base64`.
    assert.equal(
      signature,
      'XzQkXxz/MmY+KA3XkF+yE4swqJDXRumivxKRBn92CS1oGmsI6vJeKRxXSAI7AHQj/KPS8d0zyXLOtRP2QqVXY2lbaMvYe4ZCd6HHzv9bfXqkPWpqGdoAGZuwP84izd+9WquwV24/DTDkInppVaHDVtHhX28u2H/5Fr1g+4aQuryCUsCbwUArqRwyd5WGT6hc/DwqmjzC7Vp/37DuS2SQ65t+u4nvhZI8ZXoqgRBuV35RVi2JnxAZbvkZ5cKGR6DbLZICMYFMKVyRn5AXpZD6qN/+dgzuKQp1pGIUi+QgtdB69lW8C3ZsugdlTHlF4MDUxv9NK7TmUA7jX7c8LXWQYQ=='
    )
    // Independent check with node:crypto's verify over the hand-built string.
    assert.isTrue(
      verify(
        'sha256',
        Buffer.from(`${CANONICAL.replace('&type=', '&timestamp=1764000000&type=')}`),
        createPublicKey(epayKeys.merchantPublic),
        Buffer.from(signature, 'base64')
      )
    )
  })

  test('verify: round trip with the platform key pair; tampering and other keys refused', ({
    assert,
  }) => {
    const platformPrivate = privateKeyOf(epayKeys.platformPrivate)!
    const platformPublic = publicKeyOf(epayKeys.platformPublic)!
    const notify = { ...params, trade_no: '2026000001', trade_status: 'TRADE_SUCCESS' }
    const signed = { ...notify, sign: rsaSignParams(notify, platformPrivate) }
    assert.isTrue(rsaVerifyParams(signed, platformPublic))
    // A "+" that arrived as a space in a query string still verifies.
    assert.isTrue(
      rsaVerifyParams({ ...signed, sign: signed.sign.replace(/\+/g, ' ') }, platformPublic)
    )
    assert.isFalse(rsaVerifyParams({ ...signed, money: '1.00' }, platformPublic))
    assert.isFalse(rsaVerifyParams({ ...signed, timestamp: '1764000001' }, platformPublic))
    // Signed with the merchant key instead of the platform's: refused.
    assert.isFalse(
      rsaVerifyParams({ ...notify, sign: rsaSignParams(notify, merchantPrivate) }, platformPublic)
    )
    assert.isFalse(rsaVerifyParams({ ...signed, sign: 'Zm9yZ2Vk' }, platformPublic))
    assert.isFalse(rsaVerifyParams({ ...signed, sign: '!!' }, platformPublic))
    assert.isFalse(rsaVerifyParams({ ...signed, sign: undefined }, platformPublic))
    // Same result as node's raw sign (PKCS#1 v1.5 is deterministic).
    assert.equal(
      signed.sign,
      sign(
        'sha256',
        Buffer.from(canonicalString(notify)),
        createPrivateKey(epayKeys.platformPrivate)
      ).toString('base64')
    )
  })
})

test.group('payment-epay / money, names and forms', () => {
  test('formatMoney: minor units to a 2-decimal string from the bigint', ({ assert }) => {
    assert.equal(formatMoney(1230n), '12.30')
    assert.equal(formatMoney(1n), '0.01')
    assert.equal(formatMoney(100n), '1.00')
    assert.equal(formatMoney(99_999_999_999_999_99n), '99999999999999.99')
    // Past 2^53: no float anywhere.
    assert.equal(formatMoney(9_007_199_254_740_993n), '90071992547409.93')
    assert.throws(() => formatMoney(0n))
    assert.throws(() => formatMoney(-5n))
  })

  test('truncateUtf8: at most 127 bytes, never half a character', ({ assert }) => {
    assert.equal(truncateUtf8('short'), 'short')
    const han = '月'.repeat(60) // 180 bytes
    const cut = truncateUtf8(han)
    assert.equal(cut, '月'.repeat(42)) // 126 bytes: a 43rd would make 129
    assert.isAtMost(Buffer.byteLength(cut), 127)
    const emoji = 'a'.repeat(125) + '😀' // 4-byte character crossing the limit
    assert.equal(truncateUtf8(emoji), 'a'.repeat(125))
    assert.equal(truncateUtf8('a'.repeat(200)).length, 127)
    assert.equal(truncateUtf8('a\nb\u0000c'), 'a b c')
  })

  test('parseForm: repeated and bracketed keys become arrays', ({ assert }) => {
    assert.deepEqual(parseForm('a=1&b=x+y&c=%E6%9C%88'), { a: '1', b: 'x y', c: '月' })
    assert.deepEqual(parseForm('money=1.00&money=2.00'), { money: ['1.00', '2.00'] })
    assert.deepEqual(parseForm('money[]=1.00'), { money: ['1.00'] })
    assert.deepEqual(parseForm('money[a]=1.00&pid=1'), { money: ['1.00'], pid: '1' })
  })
})
