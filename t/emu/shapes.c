/* The objects the emulator returns, in the shape of Stripe's own example
 * objects (shared/stripe/fixtures3.json, resources.<name>) with their
 * example values reset to what a fresh object has: ids and times are
 * filled in by the code that creates one.  Keys are ordered id, object,
 * then alphabetically, as the fixtures list them. */
#include "emu.h"

static const char *const shapes[SHAPE_MAX] = {
	[SHAPE_SESSION] =	/* checkout.session */
	    "{\"id\":null,\"object\":\"checkout.session\",\"adaptive_pricing\":{\"enabled\":false},"
	    "\"after_expiration\":null,\"allow_promotion_codes\":null,\"amount_subtotal\":0,"
	    "\"amount_total\":0,\"automatic_tax\":{\"enabled\":false,\"liability\":null,"
	    "\"status\":null},\"billing_address_collection\":null,\"cancel_url\":null,"
	    "\"client_reference_id\":null,\"client_secret\":null,\"collected_information\":null,"
	    "\"consent\":null,\"consent_collection\":null,\"created\":0,\"currency\":null,"
	    "\"currency_conversion\":null,\"custom_fields\":[],\"custom_text\":{\"after_submit\":null,"
	    "\"shipping_address\":null,\"submit\":null,\"terms_of_service_acceptance\":null},"
	    "\"customer\":null,\"customer_account\":null,\"customer_creation\":\"if_required\","
	    "\"customer_details\":null,\"customer_email\":null,\"discounts\":[],"
	    "\"expires_at\":0,\"integration_identifier\":null,\"invoice\":null,"
	    "\"invoice_creation\":{\"enabled\":false,\"invoice_data\":{\"account_tax_ids\":null,"
	    "\"custom_fields\":null,\"description\":null,\"footer\":null,\"issuer\":null,"
	    "\"metadata\":{},\"rendering_options\":null}},\"livemode\":false,"
	    "\"locale\":null,\"managed_payments\":{\"enabled\":false},\"metadata\":{},"
	    "\"mode\":\"payment\",\"origin_context\":null,\"payment_intent\":null,"
	    "\"payment_link\":null,\"payment_method_collection\":\"if_required\","
	    "\"payment_method_configuration_details\":null,\"payment_method_options\":{\"card\":{\"request_three_d_secure\":\"automatic\"}},"
	    "\"payment_method_types\":[\"card\"],\"payment_status\":\"unpaid\","
	    "\"permissions\":null,\"phone_number_collection\":{\"enabled\":false},"
	    "\"recovered_from\":null,\"saved_payment_method_options\":null,"
	    "\"setup_intent\":null,\"shipping_address_collection\":null,\"shipping_cost\":null,"
	    "\"shipping_details\":null,\"shipping_options\":[],\"status\":\"open\","
	    "\"submit_type\":null,\"subscription\":null,\"success_url\":null,"
	    "\"tax_id_collection\":{\"enabled\":false},\"total_details\":{\"amount_discount\":0,"
	    "\"amount_shipping\":0,\"amount_tax\":0},\"ui_mode\":\"hosted\",\"url\":null,"
	    "\"wallet_options\":null}",
	[SHAPE_PAYMENT_INTENT] =	/* payment_intent */
	    "{\"id\":null,\"object\":\"payment_intent\",\"amount\":0,\"amount_capturable\":0,"
	    "\"amount_details\":{\"tip\":{}},\"amount_received\":0,\"application\":null,"
	    "\"application_fee_amount\":null,\"automatic_payment_methods\":null,"
	    "\"canceled_at\":null,\"cancellation_reason\":null,\"capture_method\":\"automatic\","
	    "\"client_secret\":null,\"confirmation_method\":\"automatic\",\"created\":0,"
	    "\"currency\":null,\"customer\":null,\"customer_account\":null,"
	    "\"description\":null,\"excluded_payment_method_types\":null,"
	    "\"invoice\":null,\"last_payment_error\":null,\"latest_charge\":null,"
	    "\"livemode\":false,\"managed_payments\":null,\"metadata\":{},\"next_action\":null,"
	    "\"on_behalf_of\":null,\"payment_method\":null,\"payment_method_configuration_details\":null,"
	    "\"payment_method_options\":{\"card\":{\"installments\":null,\"mandate_options\":null,"
	    "\"network\":null,\"request_three_d_secure\":\"automatic\"}},\"payment_method_types\":[\"card\"],"
	    "\"processing\":null,\"receipt_email\":null,\"review\":null,\"setup_future_usage\":null,"
	    "\"shipping\":null,\"statement_descriptor\":null,\"statement_descriptor_suffix\":null,"
	    "\"status\":\"requires_payment_method\",\"transfer_data\":null,"
	    "\"transfer_group\":null}",
	[SHAPE_CHARGE] =	/* charge */
	    "{\"id\":null,\"object\":\"charge\",\"amount\":0,\"amount_captured\":0,"
	    "\"amount_refunded\":0,\"application\":null,\"application_fee\":null,"
	    "\"application_fee_amount\":null,\"balance_transaction\":null,"
	    "\"billing_details\":{\"address\":{\"city\":null,\"country\":null,"
	    "\"line1\":null,\"line2\":null,\"postal_code\":null,\"state\":null},"
	    "\"email\":null,\"name\":null,\"phone\":null,\"tax_id\":null},\"calculated_statement_descriptor\":\"ENROLL\","
	    "\"captured\":true,\"created\":0,\"currency\":null,\"customer\":null,"
	    "\"description\":null,\"disputed\":false,\"failure_balance_transaction\":null,"
	    "\"failure_code\":null,\"failure_message\":null,\"fraud_details\":{},"
	    "\"invoice\":null,\"livemode\":false,\"metadata\":{},\"on_behalf_of\":null,"
	    "\"outcome\":null,\"paid\":true,\"payment_intent\":null,\"payment_method\":null,"
	    "\"payment_method_details\":{\"card\":{\"amount_authorized\":0,"
	    "\"authorization_code\":null,\"brand\":\"visa\",\"checks\":{\"address_line1_check\":null,"
	    "\"address_postal_code_check\":null,\"cvc_check\":\"pass\"},\"country\":\"US\","
	    "\"exp_month\":12,\"exp_year\":2034,\"extended_authorization\":{\"status\":\"disabled\"},"
	    "\"fingerprint\":null,\"funding\":\"credit\",\"incremental_authorization\":{\"status\":\"unavailable\"},"
	    "\"installments\":null,\"last4\":null,\"mandate\":null,\"multicapture\":{\"status\":\"unavailable\"},"
	    "\"network\":\"visa\",\"network_token\":{\"used\":false},\"network_transaction_id\":null,"
	    "\"overcapture\":{\"maximum_amount_capturable\":0,\"status\":\"unavailable\"},"
	    "\"regulated_status\":null,\"three_d_secure\":{\"authentication_flow\":null,"
	    "\"electronic_commerce_indicator\":null,\"exemption_indicator\":null,"
	    "\"result\":null,\"result_reason\":null,\"transaction_id\":null,"
	    "\"version\":null},\"transaction_link_id\":null,\"wallet\":null},"
	    "\"type\":\"card\"},\"radar_options\":{},\"receipt_email\":null,\"receipt_number\":null,"
	    "\"receipt_url\":null,\"refunded\":false,\"refunds\":{\"object\":\"list\","
	    "\"data\":[],\"has_more\":false,\"url\":null},\"review\":null,\"shipping\":null,"
	    "\"source_transfer\":null,\"statement_descriptor\":null,\"statement_descriptor_suffix\":null,"
	    "\"status\":\"succeeded\",\"transfer\":null,\"transfer_data\":null,"
	    "\"transfer_group\":null}",
	[SHAPE_REFUND] =	/* refund */
	    "{\"id\":null,\"object\":\"refund\",\"amount\":0,\"balance_transaction\":null,"
	    "\"charge\":null,\"created\":0,\"currency\":null,\"customer\":null,"
	    "\"customer_account\":null,\"description\":null,\"destination_details\":{\"card\":{\"type\":\"reversal\"},"
	    "\"type\":\"card\"},\"failure_balance_transaction\":null,\"failure_reason\":null,"
	    "\"instructions_email\":null,\"metadata\":{},\"next_action\":null,"
	    "\"payment_intent\":null,\"payment_method\":null,\"reason\":null,"
	    "\"receipt_number\":null,\"source_transfer_reversal\":null,\"status\":\"succeeded\","
	    "\"transfer_reversal\":null}",
	[SHAPE_EVENT] =	/* event */
	    "{\"id\":null,\"object\":\"event\",\"account\":null,\"api_version\":\"2023-08-16\","
	    "\"created\":0,\"data\":{\"object\":null},\"livemode\":false,\"pending_webhooks\":0,"
	    "\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":null}",
	[SHAPE_CUSTOMER] =	/* customer */
	    "{\"id\":null,\"object\":\"customer\",\"address\":{\"city\":null,\"country\":null,"
	    "\"line1\":null,\"line2\":null,\"postal_code\":null,\"state\":null},"
	    "\"balance\":0,\"created\":0,\"currency\":null,\"default_source\":null,"
	    "\"delinquent\":false,\"description\":null,\"discount\":null,\"email\":null,"
	    "\"invoice_prefix\":null,\"invoice_settings\":{\"custom_fields\":null,"
	    "\"default_payment_method\":null,\"footer\":null,\"rendering_options\":null},"
	    "\"livemode\":false,\"metadata\":{},\"name\":null,\"next_invoice_sequence\":1,"
	    "\"phone\":null,\"preferred_locales\":[],\"shipping\":null,\"tax_exempt\":\"none\","
	    "\"tax_ids\":null,\"test_clock\":null}",
	[SHAPE_COUPON] =	/* coupon */
	    "{\"id\":null,\"object\":\"coupon\",\"amount_off\":null,\"applies_to\":null,"
	    "\"created\":0,\"currency\":null,\"duration\":\"once\",\"duration_in_months\":null,"
	    "\"livemode\":false,\"max_redemptions\":null,\"metadata\":{},\"name\":null,"
	    "\"percent_off\":null,\"redeem_by\":null,\"times_redeemed\":0,\"valid\":true}",
	[SHAPE_ITEM] =	/* item */
	    "{\"id\":null,\"object\":\"item\",\"adjustable_quantity\":null,\"amount_discount\":0,"
	    "\"amount_subtotal\":0,\"amount_tax\":0,\"amount_total\":0,\"currency\":null,"
	    "\"description\":null,\"metadata\":null,\"price\":{\"id\":null,\"object\":\"price\","
	    "\"active\":true,\"billing_scheme\":\"per_unit\",\"created\":0,\"currency\":null,"
	    "\"custom_unit_amount\":null,\"livemode\":false,\"lookup_key\":null,"
	    "\"metadata\":{},\"nickname\":null,\"product\":null,\"recurring\":null,"
	    "\"tax_behavior\":\"unspecified\",\"tiers_mode\":null,\"transform_quantity\":null,"
	    "\"type\":\"one_time\",\"unit_amount\":0,\"unit_amount_decimal\":\"0\"},"
	    "\"quantity\":1}",
	[SHAPE_ENDPOINT] =	/* webhook_endpoint; secret only on create */
	    "{\"id\":null,\"object\":\"webhook_endpoint\",\"api_version\":null,"
	    "\"application\":null,\"created\":0,\"description\":null,"
	    "\"enabled_events\":[],\"livemode\":false,\"metadata\":{},"
	    "\"secret\":null,\"status\":\"enabled\",\"url\":null}",
	[SHAPE_DISPUTE] =	/* dispute */
	    "{\"id\":null,\"object\":\"dispute\",\"amount\":0,"
	    "\"balance_transactions\":[],\"charge\":null,\"created\":0,"
	    "\"currency\":null,\"enhanced_eligibility_types\":[],"
	    "\"evidence\":{\"access_activity_log\":null,"
	    "\"billing_address\":null,\"cancellation_policy\":null,"
	    "\"cancellation_policy_disclosure\":null,"
	    "\"cancellation_rebuttal\":null,\"customer_communication\":null,"
	    "\"customer_email_address\":null,\"customer_name\":null,"
	    "\"customer_purchase_ip\":null,\"customer_signature\":null,"
	    "\"duplicate_charge_documentation\":null,"
	    "\"duplicate_charge_explanation\":null,"
	    "\"duplicate_charge_id\":null,\"enhanced_evidence\":{},"
	    "\"product_description\":null,\"receipt\":null,"
	    "\"refund_policy\":null,\"refund_policy_disclosure\":null,"
	    "\"refund_refusal_explanation\":null,\"service_date\":null,"
	    "\"service_documentation\":null,\"shipping_address\":null,"
	    "\"shipping_carrier\":null,\"shipping_date\":null,"
	    "\"shipping_documentation\":null,\"shipping_tracking_number\":null,"
	    "\"uncategorized_file\":null,\"uncategorized_text\":null},"
	    "\"evidence_details\":{\"due_by\":null,\"enhanced_eligibility\":{},"
	    "\"has_evidence\":false,\"past_due\":false,\"submission_count\":0},"
	    "\"is_charge_refundable\":false,\"livemode\":false,\"metadata\":{},"
	    "\"payment_intent\":null,"
	    "\"payment_method_details\":{\"card\":{\"brand\":\"visa\","
	    "\"case_type\":\"chargeback\",\"network\":\"visa\","
	    "\"network_reason_code\":null},\"type\":\"card\"},"
	    "\"reason\":\"general\",\"status\":\"needs_response\"}",
};

cJSON *
emu_shape_new(enum emu_shape s)
{
	if ((unsigned)s >= SHAPE_MAX)
		return NULL;
	return cJSON_Parse(shapes[s]);
}
