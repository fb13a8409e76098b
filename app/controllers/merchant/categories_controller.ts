import type { HttpContext } from '@adonisjs/core/http'
import { requireMember } from '#middleware/merchant_middleware'
import { validateCategoryForm, type FormErrors } from '#validators/merchant/catalog'
import {
  CategoryNotEmptyError,
  DuplicateCategoryError,
  addCategory,
  deleteCategory,
  listCategories,
  updateCategory,
} from '#actions/merchant/catalog/categories'

/**
 * Categories of the shop (any member). Errors re-render the page with status 422: `errors`
 * for the "new category" form, `rowErrors[id]` for one row's rename/sort or delete.
 */
export default class CategoriesController {
  async index(ctx: HttpContext) {
    requireMember(ctx)
    return this.#render(ctx)
  }

  async store(ctx: HttpContext) {
    const member = requireMember(ctx)
    const checked = validateCategoryForm(ctx.request.all())
    const values = this.#values(ctx)
    if (checked.errors) return this.#fail(ctx, { errors: checked.errors, values })
    try {
      await addCategory(member, checked.data, ctx.request.ip())
    } catch (error) {
      if (!(error instanceof DuplicateCategoryError)) throw error
      return this.#fail(ctx, { errors: { name: 'catalog_form.categories.duplicate' }, values })
    }
    return this.#back(ctx, 'catalog_form.categories.created')
  }

  async update(ctx: HttpContext) {
    const member = requireMember(ctx)
    const id = Number(ctx.params.id)
    const checked = validateCategoryForm(ctx.request.all())
    const rowValues = { [id]: this.#values(ctx) }
    if (checked.errors) return this.#fail(ctx, { rowErrors: { [id]: checked.errors }, rowValues })
    try {
      await updateCategory(member, id, checked.data, ctx.request.ip())
    } catch (error) {
      if (!(error instanceof DuplicateCategoryError)) throw error
      const rowErrors = { [id]: { name: 'catalog_form.categories.duplicate' } }
      return this.#fail(ctx, { rowErrors, rowValues })
    }
    return this.#back(ctx, 'catalog_form.categories.updated')
  }

  async destroy(ctx: HttpContext) {
    const member = requireMember(ctx)
    const id = Number(ctx.params.id)
    try {
      await deleteCategory(member, id, ctx.request.ip())
    } catch (error) {
      if (!(error instanceof CategoryNotEmptyError)) throw error
      const message = ctx.i18n.t(
        error.products
          ? 'catalog_form.categories.not_empty'
          : 'catalog_form.categories.has_coupons',
        { products: error.products, coupons: error.coupons }
      )
      return this.#fail(ctx, { rowErrors: { [id]: { deleteMessage: message } } })
    }
    return this.#back(ctx, 'catalog_form.categories.deleted')
  }

  #values(ctx: HttpContext) {
    const pick = (v: unknown) => (typeof v === 'string' ? v : '')
    return { name: pick(ctx.request.input('name')), sort: pick(ctx.request.input('sort')) }
  }

  #back(ctx: HttpContext, notice: string) {
    ctx.session.flash('notice', ctx.i18n.t(notice))
    return ctx.response.redirect('/merchant/categories')
  }

  #fail(
    ctx: HttpContext,
    state: {
      errors?: FormErrors
      values?: Record<string, string>
      rowErrors?: Record<number, Record<string, string>>
      rowValues?: Record<number, Record<string, string>>
    }
  ) {
    ctx.response.status(422)
    return this.#render(ctx, state)
  }

  async #render(
    ctx: HttpContext,
    state: {
      errors?: FormErrors
      values?: Record<string, string>
      rowErrors?: Record<number, Record<string, string>>
      rowValues?: Record<number, Record<string, string>>
    } = {}
  ) {
    return ctx.view.render('pages/merchant/catalog/categories', {
      categories: await listCategories(),
      errors: state.errors ?? {},
      values: state.values ?? {},
      rowErrors: state.rowErrors ?? {},
      rowValues: state.rowValues ?? {},
    })
  }
}
