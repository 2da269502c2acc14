#!/bin/sh
# Stand-in for the stock-service Lambda function: chairs are out of stock,
# reported as a function error that the definition catches.
event=$(cat)
case $event in
    *CHAIR*) printf '{"errorType":"Stock.Unavailable","errorMessage":"no chairs"}\n'; exit 1 ;;
esac
printf '{"inStock":true}\n'
