import { test } from '@japa/runner'
import { classifyHost, slugProblem } from '#tenancy'

test.group('tenancy / host classification', () => {
  test('platform, shop and foreign hosts', ({ assert }) => {
    assert.deepEqual(classifyHost('localhost', 'localhost'), { kind: 'platform' })
    assert.deepEqual(classifyHost('www.localhost', 'localhost'), { kind: 'platform' })
    assert.deepEqual(classifyHost('demo.localhost', 'localhost'), { kind: 'shop', slug: 'demo' })
    assert.deepEqual(classifyHost('DEMO.LocalHost.', 'localhost'), { kind: 'shop', slug: 'demo' })
    assert.deepEqual(classifyHost('a.b.localhost', 'localhost'), { kind: 'foreign' })
    assert.deepEqual(classifyHost('evil.example', 'localhost'), { kind: 'foreign' })
    assert.deepEqual(classifyHost('localhost.evil.example', 'localhost'), { kind: 'foreign' })
    assert.deepEqual(classifyHost('', 'localhost'), { kind: 'foreign' })
    assert.deepEqual(classifyHost(null, 'localhost'), { kind: 'foreign' })
  })

  test('slugs are DNS labels and never reserved words', ({ assert }) => {
    assert.isNull(slugProblem('demo'))
    assert.isNull(slugProblem('game-cards-88'))
    for (const bad of [
      'ab',
      '-abc',
      'abc-',
      'Abc',
      'a_b',
      'a.b',
      'xn--abc',
      'a'.repeat(64),
      '中文',
      '',
    ]) {
      assert.equal(slugProblem(bad), 'format', bad)
    }
    for (const reserved of ['www', 'admin', 'api', 'platform', 'static', 'mail']) {
      assert.equal(slugProblem(reserved), 'reserved', reserved)
    }
  })
})
