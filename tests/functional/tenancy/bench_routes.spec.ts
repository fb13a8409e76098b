import { test } from '@japa/runner'
import { truncateAll } from '#tests/helpers/database'
import Tenant from '#models/tenant'
import { tenantDirectory } from '#tenancy'

test.group('benchmark routes', (group) => {
  group.each.setup(async () => {
    await truncateAll()
    tenantDirectory.forget()
  })

  test('do not exist unless BENCHMARK_ROUTES=true (never in production)', async ({ client }) => {
    await Tenant.create({ slug: 'bench', name: 'Bench', status: 'active' })
    const onShop = await client.get('/__bench/page').header('host', 'bench.localhost')
    onShop.assertStatus(404)
    const onPlatform = await client.get('/__bench/page').header('host', 'localhost')
    onPlatform.assertStatus(404)
  })
})
