export const policies = {
  ApiTokenPolicy: () => import('#policies/api_token_policy'),
  ShopSettingsPolicy: () => import('#policies/shop_settings_policy'),
  StaffPolicy: () => import('#policies/staff_policy'),
  StatementPolicy: () => import('#policies/statement_policy'),
  StockPolicy: () => import('#policies/stock_policy'),
}

