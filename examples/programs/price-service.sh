#!/bin/sh
# Stand-in for the price-service Lambda function: reads the event on stdin,
# answers {"sku", "qty", "amount"}.  It is busy on its first call for a SKU
# (a marker file in $TMPDIR), which the definition's Retry absorbs.
event=$(cat)
sku=$(printf '%s' "$event" | sed 's/.*"sku":"\([^"]*\)".*/\1/')
qty=$(printf '%s' "$event" | sed 's/.*"qty":\([0-9]*\).*/\1/')
mark="${TMPDIR:-/tmp}/aslc-example-price-$sku-$PPID"
if [ ! -e "$mark" ]; then
    : > "$mark"
    printf '{"errorType":"PriceService.Busy","errorMessage":"try again"}\n'
    exit 1
fi
rm -f "$mark"
case $sku in
    DESK-OAK) unit=349.00 ;;
    LAMP-3) unit=24.50 ;;
    *) unit=79.90 ;;
esac
amount=$(echo "$unit * $qty" | bc)
printf '{"sku":"%s","qty":%s,"amount":%s}\n' "$sku" "$qty" "$amount"
