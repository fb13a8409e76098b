import type { HttpContext } from '@adonisjs/core/http'
import ApiTokenPolicy from '#policies/api_token_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import ListApiTokens from '#actions/merchant/api_tokens/list_api_tokens'
import CreateApiToken, { type CreatedApiToken } from '#actions/merchant/api_tokens/create_api_token'
import RevokeApiToken from '#actions/merchant/api_tokens/revoke_api_token'
import { TENANT_API_ABILITIES } from '#auth/tenant_api_abilities'
import { createApiTokenValidator, TOKEN_EXPIRY_DAYS } from '#validators/merchant/api_tokens'
import { merchantMessages } from '#validators/merchant/validate'

/**
 * The shop's tenant API tokens (owners only). A new token's value is in the response to
 * the create request and nowhere else: that page is not cached and not redirected to.
 */
export default class ApiTokensController {
  async index(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(ApiTokenPolicy).allows('manage', requireMember(ctx)))
    return this.#render(ctx, null)
  }

  async store(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(ApiTokenPolicy).allows('manage', requireMember(ctx)))
    const data = await ctx.request.validateUsing(createApiTokenValidator, merchantMessages(ctx))
    const created = await CreateApiToken.handle({
      user: ctx.auth.use('web').getUserOrFail(),
      name: data.name,
      abilities: data.abilities,
      expiresInDays: data.expires_in_days,
      ip: ctx.request.ip(),
    })
    ctx.response.header('Cache-Control', 'no-store')
    ctx.response.status(201)
    return this.#render(ctx, created)
  }

  async destroy(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(ApiTokenPolicy).allows('manage', member))
    await RevokeApiToken.handle({
      actor: member,
      tokenId: Number(ctx.params.id),
      ip: ctx.request.ip(),
    })
    ctx.session.flash('notice', ctx.i18n.t('merchant.api_tokens.revoked'))
    return ctx.response.redirect('/merchant/api-tokens')
  }

  async #render({ view }: HttpContext, created: CreatedApiToken | null) {
    const tokens = await ListApiTokens.handle()
    return view.render('pages/merchant/api_tokens/index', {
      tokens,
      created,
      abilities: TENANT_API_ABILITIES,
      expiryDays: TOKEN_EXPIRY_DAYS,
    })
  }
}
